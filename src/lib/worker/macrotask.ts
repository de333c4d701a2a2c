// One macrotask turn in a worker, so pause and cancel messages are seen between steps: a MessageChannel, since
// tf.nextFrame has no rAF in a worker and chained setTimeouts are clamped to 4 ms (about a tenth of a classroom step).
const channel = new MessageChannel();
const turns: (() => void)[] = [];
channel.port1.onmessage = () => turns.shift()?.();

export const macrotask = (): Promise<void> =>
  new Promise<void>((r) => {
    turns.push(r);
    channel.port2.postMessage(0);
  });
