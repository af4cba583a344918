/**
 * Which names a sending domain covers: itself and its subdomains, as SES verifies subdomains with
 * their parent (`acme.com` covers `mail.acme.com`, never `evilacme.com`). Both names are as the relay
 * stores them (lower-case ASCII). Apart from domain-name.ts so the send function does not bundle the
 * Public Suffix List to use it.
 */
export function covers(root: string, domain: string): boolean {
  return domain === root || domain.endsWith(`.${root}`);
}
