/** Text made safe for HTML: element content and quoted attribute values alike. */
export function escapeHtml(x: unknown): string {
  return String(x).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}
