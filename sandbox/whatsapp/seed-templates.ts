import type { Template, TemplateStatus } from './records.ts';

/** A template as seeded; ids and the WABA are added at seeding time. */
export type TemplateSeed = Omit<Template, 'id' | 'wabaId' | 'rejectedReason'> & { rejectedReason?: string };

const hello: TemplateSeed = {
  name: 'hello_world',
  language: 'en_US',
  status: 'APPROVED',
  category: 'UTILITY',
  parameterFormat: 'POSITIONAL',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
    {
      type: 'BODY',
      text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.',
    },
    { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
  ],
};

function orderUpdate(language: string, body: string, button: string): TemplateSeed {
  return {
    name: 'order_update',
    language,
    status: 'APPROVED',
    category: 'UTILITY',
    parameterFormat: 'POSITIONAL',
    components: [
      { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2UvcG5n:ARb'] } },
      { type: 'BODY', text: body, example: { body_text: [['Maria', '#1042', 'May 3']] } },
      {
        type: 'BUTTONS',
        buttons: [
          {
            type: 'URL',
            text: button,
            url: 'https://shop.example.com/track/{{1}}',
            example: ['https://shop.example.com/track/1042'],
          },
        ],
      },
    ],
  };
}

function appointmentReminder(language: string, texts: [string, string, string, string]): TemplateSeed {
  const [header, body, confirm, reschedule] = texts;
  return {
    name: 'appointment_reminder',
    language,
    status: 'APPROVED',
    category: 'UTILITY',
    parameterFormat: 'NAMED',
    components: [
      {
        type: 'HEADER',
        format: 'TEXT',
        text: header,
        example: { header_text_named_params: [{ param_name: 'first_name', example: 'Maria' }] },
      },
      {
        type: 'BODY',
        text: body,
        example: {
          body_text_named_params: [
            { param_name: 'first_name', example: 'Maria' },
            { param_name: 'date', example: 'May 3' },
            { param_name: 'time', example: '10:30' },
          ],
        },
      },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: confirm },
          { type: 'QUICK_REPLY', text: reschedule },
        ],
      },
    ],
  };
}

function marketing(name: string, status: TemplateStatus, body: string, rejectedReason?: string): TemplateSeed {
  return {
    name,
    language: 'en',
    status,
    category: 'MARKETING',
    parameterFormat: 'POSITIONAL',
    components: [{ type: 'BODY', text: body, example: { body_text: [['20', 'Sunday']] } }],
    ...(rejectedReason ? { rejectedReason } : {}),
  };
}

/** The demo WABA's templates: several languages, positional and named, one PENDING, one REJECTED. */
export const DEMO_TEMPLATES: TemplateSeed[] = [
  hello,
  orderUpdate('en', 'Hi {{1}}, your order {{2}} has shipped and should arrive on {{3}}.', 'Track order'),
  orderUpdate('pt_BR', 'Olá {{1}}, seu pedido {{2}} foi enviado e deve chegar em {{3}}.', 'Rastrear pedido'),
  orderUpdate('es', 'Hola {{1}}, tu pedido {{2}} ha sido enviado y llegará el {{3}}.', 'Seguir pedido'),
  appointmentReminder('en_US', [
    'Reminder for {{first_name}}',
    'Hi {{first_name}}, this is a reminder of your appointment on {{date}} at {{time}}. Can you make it?',
    'Confirm',
    'Reschedule',
  ]),
  appointmentReminder('es', [
    'Recordatorio para {{first_name}}',
    'Hola {{first_name}}, te recordamos tu cita el {{date}} a las {{time}}. ¿Puedes venir?',
    'Confirmar',
    'Cambiar fecha',
  ]),
  {
    name: 'follow_up',
    language: 'en',
    status: 'APPROVED',
    category: 'MARKETING',
    parameterFormat: 'POSITIONAL',
    components: [
      {
        type: 'BODY',
        text: 'Hi {{1}}, thanks for your interest in {{2}}! Would you like a call from our team?',
        example: { body_text: [['Maria', 'the Website redesign']] },
      },
      { type: 'FOOTER', text: 'Acme Demo' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Yes, call me' },
          { type: 'QUICK_REPLY', text: 'Not now' },
        ],
      },
    ],
  },
  {
    name: 'invoice_ready',
    language: 'en',
    status: 'APPROVED',
    category: 'UTILITY',
    parameterFormat: 'POSITIONAL',
    components: [
      { type: 'HEADER', format: 'DOCUMENT', example: { header_handle: ['4::YXBwbGljYXRpb24vcGRm:ARc'] } },
      {
        type: 'BODY',
        text: 'Your invoice {{1}} for {{2}} is attached.',
        example: { body_text: [['#1042', '$1,000']] },
      },
    ],
  },
  marketing('spring_sale', 'PENDING', 'Spring sale! {{1}}% off everything until {{2}}.'),
  marketing('loan_offer', 'REJECTED', 'You are pre-approved! Get {{1}}% cash back until {{2}}.', 'INVALID_FORMAT'),
  marketing('winter_promo', 'PAUSED', 'Winter promo: {{1}}% off until {{2}}.'),
];

/** The second WABA (isolation tests) has only Meta's sample template. */
export const OTHER_TEMPLATES: TemplateSeed[] = [hello];
