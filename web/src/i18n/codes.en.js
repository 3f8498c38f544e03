// English: the words for the services' violation codes ("code.<code>").
// The field's label is shown beside them, so a text does not name the field.
// {n}, {m}, {size}: the limits the service's English text states.
export default {
  // generic
  'code.required': 'Required',
  'code.too_long': 'At most {n} characters',
  'code.too_many': 'At most {n} entries',
  'code.too_large': 'At most {size}',
  'code.out_of_range': 'Must be between {n} and {m}',
  'code.text.invalid_utf8': 'Not valid text',
  'code.text.invalid': 'Contains characters that are not allowed',
  'code.id.invalid': 'Invalid link or choice',
  'code.nested_too_deep': 'Nested too deeply',
  'code.negative': 'Cannot be negative',
  'code.unknown_value': 'Unknown choice',
  'code.date.invalid': 'Must be a real date (YYYY-MM-DD)',
  'code.date.future': 'Cannot be a date in the future',
  'code.page_token.invalid': 'Invalid page; reload the list',
  // the bus
  'code.idempotency_key.reused': 'This request was already used for another action; reload the page and try again',
  'code.deadline.invalid': 'Invalid request deadline',
  'code.body.invalid': 'Invalid request body',
};
