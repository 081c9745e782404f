/* Web chat of the ALS assistant: talks to Rasa's socket.io channel.
 *
 * No framework. Every text from the bot or the user is put on the page with
 * textContent or text nodes, never as HTML. The session id and the rendered
 * conversation are kept in localStorage so a reload shows the history again
 * (Rasa does not send it back). "Vergeet mij" sends /forget_me; when the server
 * confirms (a reply with ``forgotten: true``) the page wipes its copy too and
 * starts a new session.
 */
(function () {
  "use strict";

  var STORE_KEY = "als-assistent-chat";
  var ROUTE_PATTERN = /^[0-9a-f]{24}$/;
  var MAX_STORED_MESSAGES = 200;
  var LINK_DOMAINS = ["als-centrum.nl", "als.nl", "spierziekten.nl", "113.nl"];
  var URL_PATTERN = /(?:https?:\/\/|www\.)[^\s<>"']+/gi;
  var TRAILING_PUNCTUATION = /[.,;:!?)\]]+$/;
  var NUMBER_ONLY = /^\s*(\d{1,2})\s*$/;
  var SLOW_REPLY_MS = 30000;
  /* The standing line of every fallback (bot/formatting.py SAFETY_LINE). */
  var SAFETY_LINE = "Bij nood: bel 112. Denkt u aan zelfdoding? Bel 113 of 0800-0113 (gratis).";
  var FORGET_TIMEOUT_MS = 15000;
  var FORGET_PAYLOAD = "/forget_me";
  var SVG_NS = "http://www.w3.org/2000/svg";
  /* Icon paths from Google's Material Icons (Apache License 2.0). */
  var ICONS = {
    speak:
      "M3 9v6h4l5 5V4L7 9H3zm13.5 3c0-1.77-1.02-3.29-2.5-4.03v8.05c1.48-.73 " +
      "2.5-2.25 2.5-4.02zM14 3.23v2.06c2.89.86 5 3.54 5 6.71s-2.11 5.85-5 " +
      "6.71v2.06c4.01-.91 7-4.49 7-8.77s-2.99-7.86-7-8.77z",
    up:
      "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79" +
      "-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 " +
      "0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z",
    down:
      "M15 3H6c-.83 0-1.54.5-1.84 1.22l-3.02 7.05c-.09.23-.14.47-.14.73v2c0 " +
      "1.1.9 2 2 2h6.31l-.95 4.57-.03.32c0 .41.17.79.44 1.06L9.83 23l6.59-6.59" +
      "c.36-.36.58-.86.58-1.41V5c0-1.1-.9-2-2-2zm4 0v12h4V3h-4z"
  };

  var log = document.getElementById("log");
  var typing = document.getElementById("typing");
  var choices = document.getElementById("choices");
  var choicesList = document.getElementById("choices-list");
  var form = document.getElementById("composer");
  var input = document.getElementById("message-input");
  var statusLine = document.getElementById("status");
  var newChatButton = document.getElementById("new-chat");
  var forgetButton = document.getElementById("forget-me");

  var state = loadState();
  var socket = null;
  var confirmed = false;
  var pending = [];
  var greeted = false;
  var slowTimer = null;
  var speaking = null;
  var awaitingAnswer = false;
  var ratingsSent = 0;
  var forgetTimer = null;

  /* ---- storage ------------------------------------------------------------- */

  function loadState() {
    try {
      var stored = JSON.parse(window.localStorage.getItem(STORE_KEY) || "null");
      if (stored && Array.isArray(stored.messages)) {
        return {
          sessionId: typeof stored.sessionId === "string" ? stored.sessionId : null,
          route: ROUTE_PATTERN.test(stored.route) ? stored.route : newRoute(),
          messages: stored.messages.filter(isStoredMessage)
        };
      }
    } catch (error) {
      /* Unreadable or blocked storage: start a new conversation. */
    }
    return { sessionId: null, route: newRoute(), messages: [] };
  }

  /* A random routing key for this conversation: a cluster's proxy sends all of
     a conversation's socket.io requests to one server by it. It is not the
     session id, so it grants nothing and may appear in a URL. */
  function newRoute() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (byte) {
        return ("0" + byte.toString(16)).slice(-2);
      })
      .join("");
  }

  function isStoredMessage(message) {
    return (
      message &&
      (message.from === "user" || message.from === "bot") &&
      typeof message.text === "string"
    );
  }

  function saveState() {
    state.messages = state.messages.slice(-MAX_STORED_MESSAGES);
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (error) {
      /* Storage full or blocked: the chat still works, only not after a reload. */
    }
  }

  function clearState() {
    state = { sessionId: null, route: newRoute(), messages: [] };
    try {
      window.localStorage.removeItem(STORE_KEY);
    } catch (error) {
      /* Nothing stored. */
    }
  }

  /* ---- small DOM helpers ---------------------------------------------------- */

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function icon(name) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  /* Show ``text`` in the status line; ``kind`` "connection" is cleared on connect. */
  function setStatus(text, kind) {
    statusLine.textContent = text;
    statusLine.setAttribute("data-kind", kind || "");
  }

  /* ---- links ---------------------------------------------------------------- */

  function allowedHref(raw) {
    var url;
    try {
      url = new URL(/^https?:\/\//i.test(raw) ? raw : "https://" + raw);
    } catch (error) {
      return null;
    }
    if (url.username || url.password) {
      return null;
    }
    var host = url.hostname.toLowerCase();
    var allowed = LINK_DOMAINS.some(function (domain) {
      return host === domain || host.slice(-domain.length - 1) === "." + domain;
    });
    if (!allowed) {
      return null;
    }
    url.protocol = "https:";
    return url.href;
  }

  /* Append ``text`` to ``parent``; web addresses of allowed sites become links. */
  function appendWithLinks(parent, text) {
    var position = 0;
    var match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      var shown = match[0].replace(TRAILING_PUNCTUATION, "");
      var href = allowedHref(shown);
      if (!href) {
        continue;
      }
      parent.appendChild(document.createTextNode(text.slice(position, match.index)));
      var link = element("a", "", shown);
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.appendChild(element("span", "visually-hidden", " (opent in een nieuw venster)"));
      parent.appendChild(link);
      position = match.index + shown.length;
    }
    parent.appendChild(document.createTextNode(text.slice(position)));
  }

  /* ---- messages ------------------------------------------------------------- */

  function renderMessage(message) {
    var item = element("div", "msg msg--" + message.from);
    var bubble = element("div", "msg__bubble");
    var lines = message.text.split("\n").filter(function (line) {
      return line.trim() !== "";
    });
    if (lines.length === 0) {
      lines = [""];
    }
    lines.forEach(function (line, index) {
      var isSource = message.from === "bot" && /^\s*Bron:/.test(line);
      var paragraph = element("p", isSource ? "msg__source" : "");
      if (index === 0) {
        var who = message.from === "bot" ? "De assistent zegt: " : "U zegt: ";
        paragraph.appendChild(element("span", "visually-hidden", who));
      }
      if (message.from === "bot") {
        appendWithLinks(paragraph, line);
      } else {
        paragraph.appendChild(document.createTextNode(line));
      }
      bubble.appendChild(paragraph);
    });
    item.appendChild(bubble);
    if (message.from === "bot") {
      item.appendChild(renderTools(message));
    }
    log.appendChild(item);
    return item;
  }

  function renderTools(message) {
    var tools = element("div", "msg__tools");
    tools.setAttribute("role", "group");
    tools.setAttribute("aria-label", "Bij dit antwoord");
    if (canSpeak()) {
      var speak = element("button", "tool");
      speak.type = "button";
      speak.appendChild(icon("speak"));
      speak.appendChild(element("span", "tool__label", "Voorlezen"));
      speak.addEventListener("click", function () {
        readAloud(message.text, speak);
      });
      tools.appendChild(speak);
    }
    var buttons = {};
    [
      ["up", "Goed antwoord"],
      ["down", "Geen goed antwoord"]
    ].forEach(function (entry) {
      var button = element("button", "tool tool--icon");
      button.type = "button";
      button.setAttribute("aria-label", entry[1]);
      button.setAttribute("aria-pressed", message.rating === entry[0] ? "true" : "false");
      button.appendChild(icon(entry[0]));
      button.addEventListener("click", function () {
        rate(message, entry[0], buttons);
      });
      buttons[entry[0]] = button;
      tools.appendChild(button);
    });
    return tools;
  }

  function addMessage(message) {
    state.messages.push(message);
    saveState();
    return renderMessage(message);
  }

  function showChoices(buttons) {
    choicesList.textContent = "";
    if (!buttons || buttons.length === 0) {
      choices.hidden = true;
      return;
    }
    buttons.forEach(function (choice, index) {
      var item = element("li");
      var button = element("button", "choice", index + 1 + ". " + choice.title);
      button.type = "button";
      button.addEventListener("click", function () {
        pick(index);
      });
      item.appendChild(button);
      choicesList.appendChild(item);
    });
    choices.hidden = false;
  }

  function latestChoices() {
    var last = state.messages[state.messages.length - 1];
    return last && last.from === "bot" && Array.isArray(last.buttons) ? last.buttons : [];
  }

  /* ---- sending -------------------------------------------------------------- */

  function emit(text, metadata) {
    var data = { message: text, session_id: state.sessionId };
    if (metadata) {
      data.metadata = metadata;
    }
    socket.emit("user_uttered", data);
  }

  /* Send ``text`` to the assistant; ``shown`` is the bubble text (null: none). */
  function send(text, shown, metadata) {
    if (shown !== null) {
      var node = addMessage({ from: "user", text: shown });
      showChoices([]);
      ratingsSent = 0;
      waitForReply();
      reveal(node);
    }
    if (confirmed) {
      emit(text, metadata);
    } else {
      pending.push([text, metadata]);
      setStatus("Verbinden met de assistent…", "connection");
    }
  }

  function waitForReply() {
    awaitingAnswer = true;
    typing.hidden = false;
    window.clearTimeout(slowTimer);
    slowTimer = window.setTimeout(function () {
      awaitingAnswer = false;
      typing.hidden = true;
      setStatus("Er komt nog geen antwoord. Probeer het later opnieuw of stel uw vraag nog een keer. " + SAFETY_LINE);
    }, SLOW_REPLY_MS);
  }

  function pick(index) {
    var buttons = latestChoices();
    if (index < 0 || index >= buttons.length) {
      setStatus("Kies een nummer van 1 tot " + buttons.length + ".");
      return;
    }
    setStatus("");
    send(buttons[index].payload, buttons[index].title);
    input.focus();
  }

  function rate(message, rating, buttons) {
    if (message.rating === rating) {
      return;
    }
    message.rating = rating;
    saveState();
    buttons.up.setAttribute("aria-pressed", rating === "up" ? "true" : "false");
    buttons.down.setAttribute("aria-pressed", rating === "down" ? "true" : "false");
    ratingsSent += 1;
    send(
      '/rate_answer{"rating":"' + rating + '"}',
      null,
      { rated_answer: message.text.slice(0, 500) }
    );
    setStatus("Bedankt voor uw beoordeling.");
  }

  /* ---- reading aloud (the browser's own speech, nothing is sent) ------------ */

  function canSpeak() {
    return "speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function";
  }

  function isDutch(voice) {
    return /^nl([-_]|$)/i.test(voice.lang);
  }

  function stopSpeaking() {
    if (canSpeak()) {
      window.speechSynthesis.cancel();
    }
    if (speaking) {
      speaking.querySelector(".tool__label").textContent = "Voorlezen";
      speaking = null;
    }
  }

  function readAloud(text, button) {
    var wasSpeaking = speaking === button;
    stopSpeaking();
    if (wasSpeaking) {
      return;
    }
    var voices = window.speechSynthesis.getVoices();
    var voice = voices.filter(function (candidate) {
      return isDutch(candidate) && candidate.localService;
    })[0];
    var onlineOnly = voices.some(function (candidate) {
      return !candidate.localService;
    });
    if (!voice && onlineOnly) {
      setStatus("Voorlezen kan niet: dit apparaat heeft geen eigen Nederlandse stem.");
      return;
    }
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = "nl-NL";
    if (voice) {
      utterance.voice = voice;
    }
    utterance.onend = utterance.onerror = function () {
      if (speaking === button) {
        stopSpeaking();
      }
    };
    speaking = button;
    button.querySelector(".tool__label").textContent = "Stop voorlezen";
    window.speechSynthesis.speak(utterance);
  }

  /* ---- socket ---------------------------------------------------------------- */

  function onConfirm(sessionId) {
    if (state.sessionId && state.sessionId !== sessionId) {
      clearState();
      log.textContent = "";
      showChoices([]);
    }
    state.sessionId = sessionId;
    saveState();
    confirmed = true;
    if (statusLine.getAttribute("data-kind") === "connection") {
      setStatus("");
    }
    pending.splice(0).forEach(function (entry) {
      emit(entry[0], entry[1]);
    });
    if (state.messages.length === 0 && !greeted) {
      greeted = true;
      waitForReply();
      emit("/greet");
    }
  }

  function onBotMessage(data) {
    if (!data || typeof data.text !== "string" || data.text.trim() === "") {
      return;
    }
    if (typeof data.forgotten === "boolean") {
      onForgotten(data);
      return;
    }
    if (!awaitingAnswer && ratingsSent > 0) {
      /* The assistant's thanks for a rating: a status line, not a new answer. */
      ratingsSent -= 1;
      setStatus(data.text);
      return;
    }
    awaitingAnswer = false;
    window.clearTimeout(slowTimer);
    typing.hidden = true;
    var offered = data.quick_replies || data.buttons;
    var buttons = (Array.isArray(offered) ? offered : [])
      .filter(function (button) {
        return button && typeof button.title === "string" && typeof button.payload === "string";
      })
      .map(function (button) {
        return { title: button.title, payload: button.payload };
      });
    var node = addMessage({ from: "bot", text: data.text, buttons: buttons, rating: null });
    showChoices(buttons);
    reveal(node);
  }

  /* Scroll down to the input, but never past the start of ``node``. */
  function reveal(node) {
    var margin = 8;
    var nodeTop = node.getBoundingClientRect().top + window.scrollY - margin;
    var formBottom = form.getBoundingClientRect().bottom + window.scrollY + margin;
    var target = Math.min(nodeTop, formBottom - window.innerHeight);
    if (target > window.scrollY) {
      window.scrollTo(0, target);
    }
  }

  function connect() {
    socket = window.io({ path: "/socket.io", query: { route: state.route } });
    socket.on("connect", function () {
      confirmed = false;
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("session_confirm", onConfirm);
    socket.on("bot_uttered", onBotMessage);
    socket.on("disconnect", function (reason) {
      confirmed = false;
      if (reason !== "io client disconnect") {
        setStatus("De verbinding is verbroken. De chat probeert opnieuw te verbinden… " + SAFETY_LINE, "connection");
      }
    });
    socket.on("connect_error", function () {
      setStatus("Geen verbinding met de assistent. De chat probeert het opnieuw… " + SAFETY_LINE, "connection");
    });
  }

  /* ---- user actions ------------------------------------------------------- */

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (text === "") {
      setStatus("Typ eerst een vraag.");
      input.focus();
      return;
    }
    var number = NUMBER_ONLY.exec(text);
    if (number && latestChoices().length > 0) {
      input.value = "";
      pick(Number(number[1]) - 1);
      return;
    }
    input.value = "";
    setStatus("");
    send(text, text);
    input.focus();
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typingText =
      target instanceof HTMLInputElement ||
      target instanceof HTMLTextAreaElement ||
      (target instanceof HTMLElement && target.isContentEditable);
    if (typingText || event.ctrlKey || event.altKey || event.metaKey) {
      return;
    }
    if (/^[1-9]$/.test(event.key) && latestChoices().length > 0) {
      event.preventDefault();
      pick(Number(event.key) - 1);
    }
  });

  /* Wipe the page and the stored copy, then ask the server for a new session. */
  function startNewConversation(message) {
    stopSpeaking();
    clearState();
    log.textContent = "";
    showChoices([]);
    typing.hidden = true;
    window.clearTimeout(slowTimer);
    awaitingAnswer = false;
    ratingsSent = 0;
    pending = [];
    greeted = false;
    confirmed = false;
    if (socket) {
      socket.disconnect();
      socket.connect();
    }
    setStatus(message);
    input.focus();
  }

  newChatButton.addEventListener("click", function () {
    startNewConversation("Er is een nieuw gesprek gestart.");
  });

  /* The server's answer to /forget_me: ``forgotten`` says whether it worked. */
  function onForgotten(data) {
    window.clearTimeout(forgetTimer);
    forgetTimer = null;
    if (data.forgotten) {
      startNewConversation(data.text + " Er is een nieuw gesprek gestart.");
      return;
    }
    awaitingAnswer = false;
    window.clearTimeout(slowTimer);
    typing.hidden = true;
    setStatus(data.text);
  }

  forgetButton.addEventListener("click", function () {
    if (forgetTimer !== null) {
      return;
    }
    if (!state.sessionId) {
      startNewConversation("Uw gesprek is gewist. Er is een nieuw gesprek gestart.");
      return;
    }
    stopSpeaking();
    setStatus("Uw gesprek wordt gewist…");
    forgetTimer = window.setTimeout(function () {
      forgetTimer = null;
      setStatus("Het wissen is niet gelukt. Probeer het later opnieuw.");
    }, FORGET_TIMEOUT_MS);
    send(FORGET_PAYLOAD, null);
  });

  /* ---- start ---------------------------------------------------------------- */

  state.messages.forEach(renderMessage);
  showChoices(latestChoices());
  if (state.messages.length > 0) {
    reveal(log.lastElementChild);
    if (state.messages[state.messages.length - 1].from === "user") {
      setStatus("Uw laatste vraag kreeg nog geen antwoord. Stel hem gerust opnieuw.");
    }
  }
  if (typeof window.io !== "function") {
    setStatus("De chat kon niet laden. Vernieuw de pagina.");
    return;
  }
  connect();
})();
