// One glossary: every metric and term the page uses, explained once. <Term> shows these on hover,
// focus and tap; the article links to the same entries.
export const GLOSSARY = {
  supernet: {
    term: 'supernet',
    short: 'One network that holds the weights of every candidate op; a child model is a path through it.',
    long:
      'Instead of training all 64 children separately, the supernet trains one child per step and every ' +
      'child inherits the weights of the ops it uses.',
  },
  child: {
    term: 'child',
    short: 'One architecture of the search space: one op per edge, named by three digits (e.g. 434).',
    long: 'The cell has three edges, each picking one of four ops; 4³ = 64 children, from 111 (all max-pool) to 444.',
  },
  sharing: {
    term: 'weight sharing',
    short: 'Children that pick the same op on an edge read and train the same weights.',
    long:
      'Full sharing keeps one copy of each op for all 64 children. Groups and prefix sharing keep more ' +
      'copies, so fewer children pull on each.',
  },
  interference: {
    term: 'interference',
    short: 'Training one child changes the shared weights — and so the accuracy — of the others.',
    long:
      'A step on child 434 also moves the weights and BatchNorm statistics that 433, 424, 334 … read: ' +
      'their accuracies rise or fall without being trained.',
  },
  groundTruth: {
    term: 'ground truth',
    short: 'Each child trained alone from scratch, several seeds; its mean accuracy gives the true ranking.',
    long:
      'The expensive reference the supernet’s ranking is judged against: 64 children × seeds stand-alone ' +
      'runs, precomputed by the CLI.',
  },
  instance: {
    term: 'instance',
    short: 'One complete supernet training run (one seed, one order) and the ranking it produces.',
    long: 'Instances differ only in their random seed or child order; comparing them shows how stable the ranking is.',
  },
  kendall: {
    term: 'Kendall tau',
    short: 'Rank agreement between two rankings: +1 identical, 0 unrelated, −1 reversed.',
    long:
      'The share of child pairs ordered alike minus the share ordered oppositely (tau-b, ties counted as ' +
      'scipy does).',
  },
  gtTau: {
    term: 'GT-Tau',
    short: 'Kendall tau between the supernet’s ranking and the ground truth’s.',
    long:
      'How well the inherited-weight ranking matches the true one. The paper measures 0.46 ± 0.15 with ' +
      'full sharing.',
  },
  sTau: {
    term: 'S-Tau',
    short: 'Mean Kendall tau between the rankings of different instances: how stable the ranking is.',
    long:
      'Computed over every pair of instances (or of the last epochs of one instance). The ground truth’s ' +
      'own S-Tau is the noise floor to compare with.',
  },
  noiseFloor: {
    term: 'noise floor',
    short: 'How well the ground truth agrees with itself across its seeds.',
    long:
      'No ranking can be expected to agree with the ground truth better than the ground truth’s own seeds ' +
      'agree with each other.',
  },
  t1r: {
    term: 'T1R',
    short: 'The true rank of the child the supernet picks as best (1 = it picked the true best).',
    long:
      'TnR looks at the n children ranked highest and reports the best true rank among them. The paper: ' +
      'T1R 18.5 ± 1.2 of 64 (Table 2, instances that differ in their seed).',
  },
  t3r: {
    term: 'T3R',
    short: 'The best true rank among the supernet’s top 3 children.',
    long: 'Picking three candidates and training them alone improves the result, at three times the cost.',
  },
  meanK: {
    term: 'GT-Tau-Mean-k',
    short: 'GT-Tau averaged over the last k training steps, evaluated after every step.',
    long:
      'GT-Tau swings from step to step; its mean over a window is a steadier measure of ranking quality ' +
      '(the paper: k = 64).',
  },
  stdK: {
    term: 'GT-Tau-Std-k',
    short: 'The standard deviation of GT-Tau over the last k steps: how much the ranking swings.',
    long: 'Low Std-k means a ranking that does not depend on the exact step at which training stops.',
  },
  dense: {
    term: 'dense evaluation',
    short: 'Evaluating all children after every one of the last steps, not only after each epoch.',
    long: 'It reveals the step-to-step swings (Figure 5 of the paper) that per-epoch evaluation hides.',
  },
  finetune: {
    term: 'fine-tune',
    short: 'Training each child alone for a few steps, starting from the supernet’s weights.',
    long: 'The paper finds that a few steps recover most of the true ranking: the supernet is a good starting point.',
  },
  period: {
    term: 'period',
    short:
      'The number of steps after which the round-robin order repeats: the number of children trained in turn ' +
      '(64 under full sharing; a group’s children when the children are split into groups).',
    long: 'With a fixed order the rankings at steps i and i + 64 look alike: the same children were trained last.',
  },
  roundRobin: {
    term: 'round-robin',
    short: 'Each child trained once every 64 steps, in a fixed or shuffled order.',
    long: 'The paper trains one child per mini-batch in this order rather than sampling children at random.',
  },
  spread: {
    term: 'spread ratio',
    short:
      'How far apart the children’s true accuracies are (the spread of their means over seeds) against how much ' +
      'one child’s accuracy moves from seed to seed (the mean seed std).',
    long: 'A ground truth ranks only if its children differ by more than seed noise: the paper’s is about 3× or more.',
  },
  lag: {
    term: 'Kendall with lag',
    short:
      'Kendall tau between the rankings after step i and after step i + lag, averaged over the dense window: how ' +
      'alike the rankings a given number of steps apart are.',
    long:
      'With a fixed order, lag 64 brings back the same children trained last: a peak there (above lag 32) is ' +
      'the signature of interference. Lag-64 − lag-32 measures it.',
  },
  sharpness: {
    term: 'sharpness',
    short: 'How far the lag curve peaks at the period above its neighbours: K(64) − (K(62) + K(66)) / 2.',
    long:
      'A slow wave in the lag curve can come from runs of similar children in the order; a sharp peak at ' +
      'exactly the period comes from which child was trained last.',
  },
  signTest: {
    term: 'sign test',
    short:
      'A test over instances: how likely it is, by chance alone, that the predicted side wins in at least this ' +
      'many of them (p; below 0.05 is taken as support).',
    long:
      'With 5 instances the smallest p is 0.031 (5 of 5); 4 of 5 gives 0.19. A statistic that meets its target ' +
      'on average without that support is “not distinguishable”.',
  },
  bn: {
    term: 'BatchNorm statistics',
    short: 'Running mean and variance used at evaluation; updated by whichever child was trained last.',
    long: 'Shared statistics match the child just trained and mismatch the others: one source of interference.',
  },
} as const;

export type TermId = keyof typeof GLOSSARY;
