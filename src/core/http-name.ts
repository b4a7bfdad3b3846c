/** Path segments that identify one resource rather than a route: numbers, UUIDs, hex and long tokens. */
const ID_SEGMENT =
  /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{12,}|(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{16,})$/i;

/** URLs whose names `requestName` keeps, so a scenario that repeats its URLs parses each once. */
const NAME_CACHE_SIZE = 1000;
const namesByUrl = new Map<string, string>();

/**
 * Derives the `name` label of a request from its URL: the path, with numeric and id-like
 * segments replaced by `:id`, and never the query string, so label values stay bounded.
 * Results are cached per URL (up to 1,000 URLs, then the cache starts over), because
 * parsing a URL costs more than the rest of a request's accounting on Node 20.
 */
export function requestName(url: string): string {
  let name = namesByUrl.get(url);
  if (name === undefined) {
    name = deriveName(url);
    if (namesByUrl.size >= NAME_CACHE_SIZE) namesByUrl.clear();
    namesByUrl.set(url, name);
  }
  return name;
}

function deriveName(url: string): string {
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
