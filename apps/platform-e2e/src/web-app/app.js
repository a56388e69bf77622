// The shop's script: sign up, log in, place orders, and show notifications as they arrive on the
// live stream, read by the typed client library's streamNotifications (docs/notifications-stream.md).
import { bearer, createApiClient, streamNotifications } from '/api-client/index.ts';

const baseUrl = new URLSearchParams(location.search).get('api');
const api = createApiClient({ baseUrl });
const element = (id) => document.getElementById(id);
function item(text, data) {
  const li = document.createElement('li');
  li.textContent = text;
  Object.assign(li.dataset, data);
  return li;
}
let accessToken;

function showError(error) {
  element('error').textContent = error instanceof Error ? `${error.name}: ${error.message}` : `${error.status} ${error.detail}`;
}

function listen() {
  streamNotifications({
    baseUrl,
    getAccessToken: () => accessToken,
    signal: new AbortController().signal,
    onNotification: (notification, eventId) => element('notifications').append(item(`${notification.type}: ${notification.title}`, { eventId, type: notification.type, orderId: notification.orderId ?? '' })),
    onStateChange: (state) => (element('stream-state').textContent = state),
  });
}

element('account').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const credentials = { email: form.get('email'), password: form.get('password') };
  try {
    const registered = await api.POST('/api/v1/auth/register', { body: { ...credentials, displayName: form.get('displayName') } });
    if (registered.error) return showError(registered.error);
    const login = await api.POST('/api/v1/auth/login', { body: credentials });
    if (login.error) return showError(login.error);
    accessToken = login.data.accessToken;
    element('session').textContent = `Signed in as ${registered.data.email}`;
    element('place-order').disabled = false;
    listen();
  } catch (error) {
    // A browser that refuses the answer (CORS) rejects the fetch itself: TypeError "Failed to fetch".
    showError(error);
  }
});

element('place-order').addEventListener('click', async () => {
  try {
    const { data, error, response } = await api.POST('/api/v1/orders', {
      headers: bearer(accessToken),
      params: { header: { 'Idempotency-Key': crypto.randomUUID() } },
      body: { currency: 'EUR', items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: 1999 }] },
    });
    if (error) return showError(error);
    // X-Request-Id is readable only because the gateway exposes it (Access-Control-Expose-Headers).
    element('orders').append(item(`${data.id} ${data.status}`, { orderId: data.id, requestId: response.headers.get('x-request-id') ?? '' }));
  } catch (error) {
    showError(error);
  }
});
