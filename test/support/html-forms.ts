// Reads the forms out of Grant Lab's pages (and the engine's form_post page) the way a browser
// would submit them. Tuned to markup we control; not a general HTML parser.
export interface HtmlForm {
  id: string | undefined;
  action: string;
  method: string;
  fields: Record<string, string>;
  buttons: { name: string | undefined; value: string | undefined; text: string }[];
}

const decode = (value: string) => value
  .replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<')
  .replaceAll('&gt;', '>').replaceAll('&#x2F;', '/').replaceAll('&amp;', '&');

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag);
  return match ? decode(match[1]!) : undefined;
}

export function parseForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const [, openTag = '', inner = ''] = match;
    const fields: Record<string, string> = {};
    for (const input of inner.matchAll(/<input\b[^>]*>/gi)) {
      const name = attribute(input[0], 'name');
      if (name) fields[name] = attribute(input[0], 'value') ?? '';
    }
    const buttons = [...inner.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)].map((button) => ({
      name: attribute(button[1]!, 'name'),
      value: attribute(button[1]!, 'value'),
      text: button[2]!.replace(/<[^>]+>/g, '').trim(),
    }));
    forms.push({
      id: attribute(openTag, 'id'),
      action: attribute(openTag, 'action') ?? '',
      method: (attribute(openTag, 'method') ?? 'get').toLowerCase(),
      fields,
      buttons,
    });
  }
  return forms;
}

/** Buttons outside a form that submit it through their `form` attribute (the logout page). */
export function buttonsFor(html: string, formId: string): HtmlForm['buttons'] {
  return [...html.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)]
    .filter((button) => attribute(button[1]!, 'form') === formId)
    .map((button) => ({
      name: attribute(button[1]!, 'name'),
      value: attribute(button[1]!, 'value'),
      text: button[2]!.replace(/<[^>]+>/g, '').trim(),
    }));
}
