// A request target's path, without its query string: what logs, request capture, scenarios and
// routing by exact path go by (codes and tokens travel in the query, and are never kept).
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? url : url.slice(0, queryStart);
}
