// Small wording helpers shared by the CLI, the report and the page.

/** "1 instance", "3 instances". */
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
