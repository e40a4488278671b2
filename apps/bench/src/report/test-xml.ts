/**
 * A small well-formedness check for the SVG the report writes (used by the report tests): tags
 * balanced and properly nested, attribute values quoted without a raw `<`, and every `&` an
 * entity. Returns the problems found, none for well-formed XML.
 *
 * @example
 * ```ts
 * xmlProblems('<svg><text>a &amp; b</text></svg>'); // []
 * xmlProblems('<svg><g></svg>');                    // ['</svg> at 7 closes <g>', 'unclosed: svg']
 * ```
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const bareAmp = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i;
  for (const m of xml.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|<|>/g)) {
    const [all, close, name, attrs, selfClose] = m;
    if (all === '<') problems.push(`raw '<' at ${m.index}`);
    if (all === '<' || all === '>') continue;
    if (attrs.includes('<')) problems.push(`raw '<' in the attributes of <${name}> at ${m.index}`);
    if (bareAmp.test(attrs)) problems.push(`bare '&' in the attributes of <${name}> at ${m.index}`);
    if (close) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> at ${m.index} closes <${open ?? 'nothing'}>`);
    } else if (!selfClose) stack.push(name);
  }
  const text = xml.replace(/<[^>]*>/g, '');
  if (bareAmp.test(text)) problems.push("bare '&' in text");
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  return problems;
}
