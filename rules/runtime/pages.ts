/**
 * Follows a paginated AWS API to its last page. `fetchPage` gets the token of the page to read
 * (undefined for the first); `nextToken` says where the next page starts. A token seen twice is
 * refused rather than looped on. Once `signal` is aborted, no further page is requested.
 */
export async function* pages<Page>(
  fetchPage: (token: string | undefined) => Promise<Page>,
  nextToken: (page: Page) => string | undefined,
  signal?: AbortSignal,
): AsyncGenerator<Page> {
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    signal?.throwIfAborted();
    const page = await fetchPage(token);
    yield page;
    token = nextToken(page);
    if (token !== undefined && seen.has(token))
      throw new Error('the same page token came back twice');
    if (token !== undefined) seen.add(token);
  } while (token !== undefined);
}

/** IAM's convention: `Marker` is the next page's token while `IsTruncated` is true. */
export function iamMarker(page: {
  IsTruncated?: boolean | undefined;
  Marker?: string | undefined;
}) {
  if (!page.IsTruncated) return undefined;
  if (!page.Marker) throw new Error('IsTruncated without a Marker');
  return page.Marker;
}
