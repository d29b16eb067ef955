import type { ApolloServerPlugin } from '@apollo/server';
import { landingPagePlugin } from '@keylab/server';

export interface PageLink {
  href: string;
  title: string;
}

/**
 * Apollo's landing page (Sandbox in development) with links to the gateway's own pages. Sandbox loads
 * from Apollo's CDN; offline, Apollo shows only "cannot be loaded", so the links sit in that fallback,
 * and the empty Sandbox frame no longer covers them.
 */
export function gatewayLandingPagePlugin(sandbox: boolean, links: PageLink[]): ApolloServerPlugin {
  const apollo = landingPagePlugin(sandbox);
  const list = links.map((link) => `<li><a href="${link.href}">${link.title}</a></li>`).join('');
  return {
    async serverWillStart(service) {
      const listener = await apollo.serverWillStart?.(service);
      if (!listener?.renderLandingPage || !links.length) return listener;
      const page = await listener.renderLandingPage();
      return {
        ...listener,
        async renderLandingPage() {
          return {
            async html() {
              const html = typeof page.html === 'string' ? page.html : await page.html();
              // Apollo's page allows inline styles only with its nonce.
              const nonce = /nonce="?([0-9a-f]+)"?/.exec(html)?.[1] ?? '';
              const style = `<style nonce="${nonce}">#embeddableSandbox:empty{display:none}</style>`;
              return html.replace(
                /(<div class="fallback">[\s\S]*?)(<\/div>)/,
                `$1<p>Pages that need no internet:</p><ul id="keylab-pages">${list}</ul>${style}$2`,
              );
            },
          };
        },
      };
    },
  };
}
