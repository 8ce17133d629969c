/**
 * Security headers of the citizen-facing pages (`/`, `/static/*`, `/api/chat`), set by
 * @fastify/helmet. The CSP is as strict as the web chat allows: every script and stylesheet is a
 * file under /static (no inline <script>, <style> or style="" anywhere; the read-aloud icons are
 * inline SVG elements, not images), and the page only talks to its own /api/chat.
 */
import type { FastifyHelmetOptions } from '@fastify/helmet';

export const CHAT_CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

export const chatHelmetOptions: FastifyHelmetOptions = {
  // The hooks apply to the routes of the plugin that registers helmet (encapsulated).
  global: true,
  contentSecurityPolicy: { useDefaults: false, directives: CHAT_CSP_DIRECTIVES },
  frameguard: { action: 'deny' },
  // Not no-referrer: same-origin keeps an Origin header on our own requests.
  referrerPolicy: { policy: 'same-origin' },
  // Only browsers that reached us over https heed it; sibling subdomains of the commune's domain
  // are not ours to decide for.
  strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
};
