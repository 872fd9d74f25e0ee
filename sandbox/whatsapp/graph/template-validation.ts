import type { MediaRef, Template, TemplateButtonDefinition, TemplateButtonView } from '../records.ts';
import type { WhatsAppState } from '../state.ts';
import { graphErrors } from './graph-errors.ts';
import {
  asParameters,
  checkMediaParameter,
  placeholdersOf,
  renderTextParameters,
  type ParameterInput,
} from './template-parameters.ts';

/** A template send that passed validation, rendered the way the customer's phone shows it. */
export interface RenderedTemplate {
  template: Template;
  header: string | null;
  headerMedia: MediaRef | null;
  body: string;
  footer: string | null;
  buttons: TemplateButtonView[];
}

type ComponentInput = Record<string, unknown>;

/**
 * Validates `template` of a send request the way Meta does (whatsapp-cloud-api.md §1.3–1.4, §1.7):
 * the template must exist in that language and be APPROVED (132001; PAUSED 132015, DISABLED
 * 132016), and every component must get exactly the parameters its placeholders need (132000).
 */
export function validateTemplateSend(state: WhatsAppState, wabaId: string, input: unknown): RenderedTemplate {
  if (typeof input !== 'object' || input === null) throw graphErrors.requiredParameter('template');
  const request = input as Record<string, unknown>;
  const name = request['name'];
  if (typeof name !== 'string' || name === '') throw graphErrors.requiredParameter("template['name']");
  const language = request['language'] as Record<string, unknown> | undefined;
  const code = language?.['code'];
  if (typeof code !== 'string' || code === '') throw graphErrors.requiredParameter("template['language']['code']");
  if (language?.['policy'] !== undefined && language['policy'] !== 'deterministic') {
    throw graphErrors.invalidParameter("template['language']['policy'] must be deterministic");
  }

  const template = state.templates.find((t) => t.wabaId === wabaId && t.name === name && t.language === code);
  // Only APPROVED templates can be sent; Meta reports pending and rejected ones as not existing.
  if (!template || template.status === 'PENDING' || template.status === 'REJECTED') {
    throw graphErrors.templateNotFound(name, code);
  }
  if (template.status === 'PAUSED') throw graphErrors.templatePaused(name);
  if (template.status === 'DISABLED') throw graphErrors.templateDisabled(name);

  const components = groupComponents(request['components']);
  const named = template.parameterFormat === 'NAMED';
  const { header, headerMedia } = renderHeader(template, components.header);
  const bodyDefinition = template.components.find((c) => c.type === 'BODY');
  const body = renderTextParameters(bodyDefinition?.text ?? '', asParameters(components.body, 'body'), {
    label: 'body',
    named,
  });
  const footer = template.components.find((c) => c.type === 'FOOTER');
  return {
    template,
    header,
    headerMedia,
    body,
    footer: footer?.type === 'FOOTER' ? footer.text : null,
    buttons: renderButtons(template, components.buttons),
  };
}

function groupComponents(input: unknown): {
  header?: ComponentInput;
  body?: ComponentInput;
  buttons: Map<number, ComponentInput>;
} {
  const grouped: { header?: ComponentInput; body?: ComponentInput; buttons: Map<number, ComponentInput> } = {
    buttons: new Map(),
  };
  if (input === undefined) return grouped;
  if (!Array.isArray(input)) throw graphErrors.invalidParameter("template['components'] must be an array");
  for (const item of input as unknown[]) {
    if (typeof item !== 'object' || item === null) throw graphErrors.invalidParameter('Invalid component');
    const component = item as ComponentInput;
    const type = String(component['type']).toLowerCase();
    if (type === 'header' || type === 'body') {
      if (grouped[type]) throw graphErrors.invalidParameter(`Duplicate ${type} component`);
      grouped[type] = component;
    } else if (type === 'button') {
      const index = Number(component['index']);
      if (!Number.isInteger(index) || index < 0) {
        throw graphErrors.requiredMessageParameter('button: index is required and must be a non-negative integer');
      }
      if (grouped.buttons.has(index))
        throw graphErrors.invalidParameter(`Duplicate button component at index ${index}`);
      grouped.buttons.set(index, component);
    } else {
      throw graphErrors.invalidParameter(`Invalid component type: ${String(component['type'])}`);
    }
  }
  return grouped;
}

function renderHeader(
  template: Template,
  input: ComponentInput | undefined,
): { header: string | null; headerMedia: MediaRef | null } {
  const parameters = asParameters(input, 'header');
  const definition = template.components.find((c) => c.type === 'HEADER');
  if (!definition || definition.type !== 'HEADER') {
    if (parameters.length > 0) throw graphErrors.parameterCount('header', parameters.length, 0);
    return { header: null, headerMedia: null };
  }
  if (definition.format === 'TEXT') {
    const named = template.parameterFormat === 'NAMED';
    return { header: renderTextParameters(definition.text, parameters, { label: 'header', named }), headerMedia: null };
  }
  if (parameters.length !== 1) throw graphErrors.parameterCount('header', parameters.length, 1);
  const media = checkMediaParameter(definition.format, parameters[0] as ParameterInput);
  return { header: null, headerMedia: { ...media, mimeType: definition.format.toLowerCase() } };
}

const SUB_TYPES: Record<TemplateButtonDefinition['type'], string> = {
  QUICK_REPLY: 'quick_reply',
  URL: 'url',
  PHONE_NUMBER: 'phone_number',
  COPY_CODE: 'copy_code',
};

function renderButtons(template: Template, inputs: Map<number, ComponentInput>): TemplateButtonView[] {
  const definitions = template.components.flatMap((c) => (c.type === 'BUTTONS' ? c.buttons : []));
  for (const [index, input] of inputs) {
    const definition = definitions[index];
    if (!definition) throw graphErrors.invalidMessageParameter(`button: no button at index ${index} in the template`);
    if (String(input['sub_type']).toLowerCase() !== SUB_TYPES[definition.type]) {
      throw graphErrors.invalidMessageParameter(
        `button at index ${index}: sub_type must be ${SUB_TYPES[definition.type]} for this template`,
      );
    }
  }
  return definitions.map((definition, index) => renderButton(definition, index, inputs.get(index)));
}

function renderButton(definition: TemplateButtonDefinition, index: number, input?: ComponentInput): TemplateButtonView {
  const label = `button at index ${index}`;
  const parameters = asParameters(input, label);
  switch (definition.type) {
    case 'QUICK_REPLY': {
      // A payload is optional; without one, a tap sends the button text back as its payload.
      if (parameters.length > 1) throw graphErrors.parameterCount(label, parameters.length, 1);
      const parameter = parameters[0];
      if (!parameter) return { type: 'QUICK_REPLY', text: definition.text, payload: definition.text };
      if (parameter['type'] !== 'payload' || typeof parameter['payload'] !== 'string') {
        throw graphErrors.parameterFormat(`${label}: quick_reply buttons take one parameter of type payload`);
      }
      return { type: 'QUICK_REPLY', text: definition.text, payload: parameter['payload'] };
    }
    case 'URL': {
      const expected = placeholdersOf(definition.url).length;
      if (parameters.length !== expected) throw graphErrors.parameterCount(label, parameters.length, expected);
      const url =
        expected === 0 ? definition.url : renderTextParameters(definition.url, parameters, { label, named: false });
      return { type: 'URL', text: definition.text, url };
    }
    case 'COPY_CODE': {
      const parameter = parameters[0];
      if (parameters.length !== 1 || !parameter) throw graphErrors.parameterCount(label, parameters.length, 1);
      if (parameter['type'] !== 'coupon_code' || typeof parameter['coupon_code'] !== 'string') {
        throw graphErrors.parameterFormat(`${label}: copy_code buttons take one parameter of type coupon_code`);
      }
      return { type: 'COPY_CODE', text: `Copy code ${parameter['coupon_code']}` };
    }
    case 'PHONE_NUMBER':
      if (parameters.length > 0) throw graphErrors.parameterCount(label, parameters.length, 0);
      return { type: 'PHONE_NUMBER', text: definition.text };
  }
}
