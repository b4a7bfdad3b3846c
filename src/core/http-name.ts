/** Path segments that identify one resource rather than a route: numbers, UUIDs, hex and long tokens. */
const ID_SEGMENT =
  /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{12,}|(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{16,})$/i;

/**
 * Derives the `name` label of a request from its URL: the path, with numeric and id-like
 * segments replaced by `:id`, and never the query string, so label values stay bounded.
 */
export function requestName(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split(/[?#]/, 1)[0] ?? "";
  }
  return (
    path
      .split("/")
      .map((segment) => (ID_SEGMENT.test(segment) ? ":id" : segment))
      .join("/") || "/"
  );
}

/** Keeps at most `limit` distinct names per scenario; the rest share one overflow value. */
export class NameLimiter {
  static readonly OVERFLOW = "other";
  readonly #seen = new Set<string>();

  constructor(
    readonly limit: number,
    private readonly onOverflow: (name: string) => void,
  ) {}

  bound(name: string): string {
    if (this.#seen.has(name)) return name;
    if (this.#seen.size < this.limit) {
      this.#seen.add(name);
      return name;
    }
    this.onOverflow(name);
    return NameLimiter.OVERFLOW;
  }
}
