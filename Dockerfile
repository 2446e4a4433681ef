# TADA VTU — one image for every role (ROLE=api | worker | all); docker-compose.yml runs it scaled out.
# There is no build step: `npm start` runs the TypeScript sources with tsx.
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, so this layer is reused until the lockfile changes.
# - .puppeteerrc.cjs (skipDownload) must be in place before `npm ci`: puppeteer (via whatsapp-web.js)
#   would otherwise try to download Chrome at install time.
# - Dev dependencies are installed on purpose: tsx, which `npm start` runs, is one. That is why
#   NODE_ENV=production is set only after `npm ci` (with it set, npm would omit them).
COPY package.json package-lock.json .npmrc .puppeteerrc.cjs ./
RUN npm ci --no-audit --no-fund && npm cache clean --force

# Sources stay owned by root (read-only to the app); only DATA_DIR is writable by the `node` user.
COPY . .
RUN mkdir -p /app/.data && chown node:node /app/.data

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000

USER node

EXPOSE 3000

# The slim image has no curl: ask Node (global fetch) instead, on PORT (default 3000). /healthz answers 200 when the database
# and the job backend answer, 503 otherwise. Only ROLE=api|all serve HTTP: docker-compose.yml turns
# this check off for the worker and migrate services.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["npm", "start"]
