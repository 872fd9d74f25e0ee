/**
 * The customer phone's browser script: polls the server-rendered chat fragment every second (live
 * ticks; "screen on" makes the phone read what arrives), and sends text, replies, reactions,
 * photos, PDFs, the "More…" kinds, template and interactive taps as JSON to /whatsapp/phone/send,
 * and plays voice notes. Plain ES2020, no build.
 */
export const PHONE_SCRIPT = `
(() => {
  const phone = document.getElementById('phone');
  if (!phone) return;
  const chat = document.getElementById('chat');
  const form = document.getElementById('composer');
  const text = document.getElementById('text');
  const replyTo = document.getElementById('reply-to');
  const replying = document.getElementById('replying');
  const replyingText = document.getElementById('replying-text');
  const toast = document.getElementById('toast');
  const screenOn = document.getElementById('screen-on');
  const base = { customer: phone.dataset.customer, number: phone.dataset.number };
  let last = chat.innerHTML;

  const bubbles = () => chat.querySelector('.bubbles');
  const nearBottom = () => {
    const list = bubbles();
    return !list || list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  };
  const scrollDown = () => {
    const list = bubbles();
    if (list) list.scrollTop = list.scrollHeight;
  };

  async function refresh(force) {
    const viewing = screenOn.checked && document.visibilityState === 'visible' ? '1' : '0';
    try {
      const response = await fetch(phone.dataset.fragment + '&viewing=' + viewing);
      if (!response.ok) return;
      const next = await response.text();
      if (next === last && !force) return;
      const stick = nearBottom();
      chat.innerHTML = next;
      last = next;
      if (stick || force) scrollDown();
    } catch (error) {
      // The sandbox restarted or stopped; the next tick tries again.
    }
  }

  function setReply(wamid, summary) {
    replyTo.value = wamid || '';
    replying.style.display = wamid ? 'block' : 'none';
    replyingText.textContent = wamid ? 'Replying to: ' + (summary || 'message') : '';
    if (wamid) text.focus();
  }

  async function send(payload) {
    toast.textContent = '';
    const body = Object.assign({}, base, payload);
    if (replyTo.value && !payload.reaction && !payload.buttonReply) body.replyTo = replyTo.value;
    const response = await fetch('/whatsapp/phone/send', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const result = await response.json().catch(() => ({}));
    if (!response.ok) {
      toast.textContent = result.error || 'Sending failed (' + response.status + ')';
      return false;
    }
    if (body.replyTo) setReply('');
    await refresh(true);
    return true;
  }

  async function play(messageId) {
    const response = await fetch('/whatsapp/phone/play', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(Object.assign({}, base, { messageId })),
    });
    if (!response.ok) toast.textContent = (await response.json().catch(() => ({}))).error || 'Playing failed';
    await refresh(true);
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!text.value.trim()) return;
    more.value = '';
    if (await send({ text: text.value })) text.value = '';
  });
  document.getElementById('cancel-reply').addEventListener('click', () => setReply(''));
  document.getElementById('send-photo').addEventListener('click', () => send({ sample: 'image' }));
  document.getElementById('send-pdf').addEventListener('click', () => send({ sample: 'document' }));
  const more = document.getElementById('more');
  more.addEventListener('change', async () => {
    if (!more.value) return;
    await send({ sample: more.value });
    more.value = '';
  });
  document.getElementById('file').addEventListener('change', (event) => {
    const input = event.target;
    const file = input.files && input.files[0];
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => {
      input.value = '';
      send({ file: { dataUrl: reader.result, filename: file.name } });
    };
    reader.readAsDataURL(file);
  });
  chat.addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (!button) return;
    if (button.dataset.reply) setReply(button.dataset.reply, button.dataset.summary);
    else if (button.dataset.react) send({ reaction: { messageId: button.dataset.react, emoji: button.dataset.emoji } });
    else if (button.dataset.button) send({ buttonReply: { messageId: button.dataset.button, index: Number(button.dataset.index) } });
    else if (button.dataset.interactive) send({ interactiveReply: { messageId: button.dataset.interactive, id: button.dataset.choice } });
    else if (button.dataset.play) play(button.dataset.play);
  });
  scrollDown();
  refresh(false);
  setInterval(() => refresh(false), 1000);
})();
`;
