/**
 * What an index already holds for one distribution: file name -> sha256 (when the index states it), and the files it
 * marks yanked (PEP 592), which installers skip unless a requirement pins their version with `==`.
 */
export type PublishedFiles = Map<string, string | undefined> & { yanked?: ReadonlySet<string> };

/** Nothing answered at the index, or it answered with something other than a listing. */
export class IndexUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexUnreachableError';
  }
}

/** PEP 503 name normalisation: the form a simple index uses in its URLs. */
export function normalizeDistributionName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** `https://host/simple` or `https://host/simple/` + name -> `https://host/simple/<normalized name>/`. */
export function projectPageUrl(indexUrl: string, distribution: string): string {
  return `${indexUrl.replace(/\/+$/, '')}/${normalizeDistributionName(distribution)}/`;
}

/** A URL as it may be printed: the user and password of `https://user:token@host/simple/` become `***`. */
export function displayUrl(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return url;
  parsed.username = '';
  parsed.password = '';
  return parsed.href.replace('//', '//***@');
}

function displayUrlsIn(text: string, url: string): string {
  return text.split(url).join(displayUrl(url));
}

/** A URL's user or password, unescaped; a `%` that starts no escape is kept as typed rather than failing the run. */
export function decodedUrlPart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function credentialsApart(url: string): { plainUrl: string; authorization?: string } {
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return { plainUrl: url };
  const login = `${decodedUrlPart(parsed.username)}:${decodedUrlPart(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { plainUrl: parsed.href, authorization: `Basic ${Buffer.from(login).toString('base64')}` };
}

interface Pep691Listing {
  files?: { filename?: string; hashes?: Record<string, string>; yanked?: boolean | string }[];
}

/**
 * Lists the files an index serves for a distribution through the PEP 691 JSON simple API, reading the PEP 503
 * HTML page when the index answers HTML (pypiserver does). A 404 means the project has no files yet.
 */
export async function listPublishedFiles(indexUrl: string, distribution: string, timeoutMs = 15_000): Promise<PublishedFiles> {
  const url = projectPageUrl(indexUrl, distribution);
  const shown = displayUrl(url);
  let response: Response;
  try {
    // fetch refuses a URL holding credentials, the usual way to reach a private index (pip and uv take them there).
    const { plainUrl, authorization } = credentialsApart(url);
    response = await fetch(plainUrl, {
      headers: { Accept: 'application/vnd.pypi.simple.v1+json, text/html;q=0.1', ...(authorization ? { Authorization: authorization } : {}) },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new IndexUnreachableError(`GET ${shown} failed: ${cause?.code ?? cause?.message ?? displayUrlsIn((error as Error).message, url)}`);
  }
  if (response.status === 404) return new Map();
  if (!response.ok) throw new IndexUnreachableError(`GET ${shown} answered ${response.status} ${response.statusText}`);
  const body = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return contentType.includes('json') ? filesFromJson(body) : filesFromHtml(body);
}

function filesFromJson(body: string): PublishedFiles {
  const listing = (JSON.parse(body) as Pep691Listing).files ?? [];
  const files = new Map(listing.flatMap((file) => (file.filename ? [[file.filename, file.hashes?.['sha256']] as const] : [])));
  // PEP 691: false or absent, else true or a reason.
  const yanked = new Set(listing.flatMap((file) => (file.filename && file.yanked !== undefined && file.yanked !== false ? [file.filename] : [])));
  return Object.assign(files, { yanked });
}

function filesFromHtml(body: string): PublishedFiles {
  const files = new Map<string, string | undefined>();
  const yanked = new Set<string>();
  for (const match of body.matchAll(/<a\s([^>]*)>([^<]+)<\/a>/gi)) {
    const [, attributes = '', text = ''] = match;
    const href = /\bhref="([^"]+)"/i.exec(attributes)?.[1] ?? '';
    const sha256 = /#sha256=([0-9a-f]{64})/i.exec(href)?.[1]?.toLowerCase();
    files.set(text.trim(), sha256);
    // PEP 592: the attribute's presence marks the file yanked, whatever its value (the reason, or none).
    if (/(^|\s)data-yanked(\s|=|$)/i.test(attributes)) yanked.add(text.trim());
  }
  return Object.assign(files, { yanked });
}

/** Polls `url` until it answers any HTTP status below 500, or fails after `timeoutMs`. */
export async function waitUntilAnswering(url: string, timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new IndexUnreachableError(`the server for ${url} exited before it answered`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status < 500) return;
      lastProblem = `status ${response.status}`;
    } catch (error) {
      lastProblem = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new IndexUnreachableError(`${url} did not answer within ${timeoutMs / 1000}s (last: ${lastProblem})`);
}
