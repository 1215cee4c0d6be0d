// npm run schemas: writes schemas/*.schema.json from the zod schemas (packages/cli/src/schemas/published-schemas.ts)
import { writeFile } from 'node:fs/promises'
import { publishedSchemas, schemaText, schemasDir } from '@kvartal/cli'

for (const name of Object.keys(publishedSchemas)) {
  const url = new URL(name, schemasDir)
  await writeFile(url, schemaText(name))
  console.log(`wrote ${url.pathname}`)
}
