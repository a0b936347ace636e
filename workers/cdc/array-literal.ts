/**
 * Reads the elements of a PostgreSQL array literal as array_out prints it
 * ("{a,\"b c\",NULL}", "{{a,b},{c,d}}", "[0:1]={a,b}"), flattened, NULLs left out.
 * Used to check the labels inside enum-array values; the values themselves are never rebuilt
 * from this (they go to the target as the source printed them).
 */
export function arrayLiteralElements(text: string): string[] {
  let i = 0;
  // Optional dimension decoration, e.g. "[0:1]=".
  if (text[0] === "[") {
    i = text.indexOf("=");
    if (i < 0) throw new Error(`malformed array literal: ${text.slice(0, 40)}`);
    i++;
  }
  const elements: string[] = [];
  let depth = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "{") {
      depth++;
      i++;
    } else if (c === "}") {
      depth--;
      i++;
    } else if (c === "," || c === " ") {
      i++;
    } else if (c === '"') {
      let value = "";
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\") i++;
        value += text[i++];
      }
      i++; // closing quote
      elements.push(value);
    } else {
      let value = "";
      while (i < text.length && text[i] !== "," && text[i] !== "}") {
        if (text[i] === "\\") i++;
        value += text[i++];
      }
      // Unquoted NULL (any case) is SQL NULL; a label "NULL" would have been printed quoted.
      if (value.toUpperCase() !== "NULL") elements.push(value.trim());
    }
  }
  if (depth !== 0) throw new Error(`malformed array literal: ${text.slice(0, 40)}`);
  return elements;
}
