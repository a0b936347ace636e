# One image for the web app and the worker; docker-compose.yml picks the command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 PGFERRY_DATA_DIR=/data
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx next build && node --import tsx -e "import('./scripts/build-stamp.ts').then(async m => require('fs').writeFileSync('.next/pgferry-build-stamp', await m.buildInputsHash(process.cwd())))"
EXPOSE 3000
CMD ["npm", "start"]
