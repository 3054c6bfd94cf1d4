// The login form: the API key is kept in sessionStorage for this tab only.
import { api, clearApiKey, setApiKey } from '../api.js';
import { field, h, mount } from '../dom.js';

export function renderLogin(view, onSignedIn) {
  const input = h('input', { type: 'password', name: 'api-key', autocomplete: 'current-password', required: true });
  const message = h('p', { class: 'error', role: 'alert' });
  const form = h(
    'form',
    { class: 'login card', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Sign in'),
    h('p', {}, 'Enter the service API key. It stays in this browser tab until you sign out or close it.'),
    field('API key', input),
    message,
    h('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.textContent = '';
    setApiKey(input.value.trim());
    try {
      await api('GET', '/campaigns', undefined, { signIn: true });
      onSignedIn();
    } catch (error) {
      clearApiKey();
      message.textContent = error.status === 401 ? 'That key was not accepted.' : `Could not sign in: ${error.message}`;
      input.focus();
    }
  });
  mount(view, form);
  input.focus();
}
