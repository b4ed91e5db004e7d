// Virtualised lists of rows of one height: which rows to draw, and where to scroll.

/**
 * The rows of a list of `count` rows `rowHeight` px tall to draw when `height` px of it are
 * shown from `scrollTop`, with `overscan` more on each side: `[from, to)`.
 */
export function visibleRange(
  count: number,
  rowHeight: number,
  scrollTop: number,
  height: number,
  overscan = 8,
): [number, number] {
  if (count <= 0 || rowHeight <= 0) return [0, 0];
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const shown = Math.ceil(Math.max(0, height) / rowHeight) + 1;
  return [Math.max(0, first - overscan), Math.min(count, first + shown + overscan)];
}

/**
 * Where to scroll a list so row `index` is in view, or `null` when it already is: a row above
 * goes to the top; a row below lands a little above the bottom edge.
 */
export function scrollToShow(
  index: number,
  rowHeight: number,
  scrollTop: number,
  height: number,
): number | null {
  if (index < 0) return null;
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top >= scrollTop && bottom <= scrollTop + height) return null;
  if (top < scrollTop) return top;
  return Math.max(0, bottom - height + rowHeight);
}
