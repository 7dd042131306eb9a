/** The replay pages' keyboard shortcuts (the help overlay and the docs list them). */
export const SHORTCUTS: [string, string][] = [
  ["Space", "Play / pause"],
  ["← / →", "One step back / forward"],
  ["Shift + ← / →", "One second back / forward"],
  ["Home / End", "First / last step"],
  ["[ / ]", "Slower / faster (0.1× – 8×)"],
  ["L", "Loop the selected range on / off"],
  ["I / O", "Loop range starts / ends here"],
  ["?", "This help"],
];
