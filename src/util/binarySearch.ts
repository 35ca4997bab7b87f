// The one binary search: the last entry of a sorted sequence at or below a target (a "floor").

/**
 * The last index in [0, n) where `atOrBelow` holds, for a predicate that holds on a prefix of the indexes (entry i
 * is at or below the target, in a sequence sorted ascending); -1 when it holds nowhere.
 */
export function floorIndex(n: number, atOrBelow: (i: number) => boolean): number {
  let lo = 0;
  let hi = n - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (atOrBelow(mid)) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
