"""The patients' web chat in real headless Chromium against the started assistant."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
import yaml

from tests.support.assistant import ROOT, RunningAssistant
from tests.support.webchat import (
    ARTIFACTS,
    AXE,
    TIMEOUT_MS,
    Chat,
    is_local,
    new_chat,
)

GREETING = "Ik ben de ALS-assistent"
WHAT_IS_ALS = "motorneuronen"
SYMPTOMS = "fasciculaties"
HEREDITY = "erfelijk"
PAGE_BUDGET_BYTES = 100_000


def _rate_answer_in_domain() -> bool:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return "rate_answer" in (domain.get("intents") or [])


def _choices(chat: Chat) -> list[str]:
    texts: list[str] = chat.page.locator("#choices-list button").all_inner_texts()
    return texts


def _focused(chat: Chat) -> dict[str, Any]:
    """Tag, id, accessible text, size and outline of the focused element."""
    info: dict[str, Any] = chat.page.evaluate(
        """() => {
            const el = document.activeElement;
            const box = el.getBoundingClientRect();
            const style = getComputedStyle(el);
            return {
                tag: el.tagName.toLowerCase(), id: el.id,
                text: (el.getAttribute('aria-label') || el.innerText || '').trim(),
                pressed: el.getAttribute('aria-pressed'),
                width: box.width, height: box.height,
                outline: style.outlineStyle,
                outlineWidth: parseFloat(style.outlineWidth),
            };
        }"""
    )
    return info


def _tab_to(chat: Chat, wanted: str, limit: int = 80) -> dict[str, Any]:
    """Press Tab until an element whose text starts with ``wanted`` has focus.

    Every element passed on the way must show a visible focus outline, and every
    button must be at least 44x44 px.
    """
    for _ in range(limit):
        chat.page.keyboard.press("Tab")
        focused = _focused(chat)
        if focused["tag"] == "body":
            continue
        assert focused["outline"] != "none" and focused["outlineWidth"] >= 2, focused
        if focused["tag"] == "button":
            assert focused["width"] >= 44 and focused["height"] >= 44, focused
        if focused["text"].startswith(wanted):
            return focused
    raise AssertionError(f"no focusable element {wanted!r} within {limit} tabs")


def test_question_gets_its_answer(chat: Chat) -> None:
    chat.open()
    assert GREETING in chat.bot_messages().first.inner_text()
    assert _choices(chat)[0] == "1. Wat is ALS?"
    answer = chat.ask("wat is ALS")
    assert WHAT_IS_ALS in answer
    assert chat.user_messages().last.inner_text().endswith("wat is ALS")
    source = chat.bot_messages().last.locator(".msg__source")
    assert source.inner_text().startswith("Bron:")
    assert chat.errors == []


def test_quick_reply_button_gets_the_follow_up_and_a_screenshot(chat: Chat) -> None:
    chat.open()
    assert WHAT_IS_ALS in chat.ask("wat is ALS")
    before = chat.bot_messages().count()
    button = chat.page.get_by_role("button", name="1. Wat zijn de klachten?")
    box = button.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44
    button.click()
    assert SYMPTOMS in chat.latest_answer_after(before)
    assert chat.user_messages().last.inner_text().endswith("Wat zijn de klachten?")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chat.page.screenshot(path=str(ARTIFACTS / "webchat.png"), full_page=True)
    assert chat.errors == []


def test_typing_a_number_picks_that_quick_reply(chat: Chat) -> None:
    chat.open()
    chat.ask("wat is ALS")
    assert SYMPTOMS in chat.ask("1")
    assert chat.user_messages().last.inner_text().endswith("Wat zijn de klachten?")
    before = chat.bot_messages().count()
    chat.page.evaluate("document.activeElement.blur()")
    choices = _choices(chat)
    assert choices, "the symptoms answer offers follow-up choices"
    chat.page.keyboard.press("1")
    chat.latest_answer_after(before)
    assert chat.user_messages().last.inner_text().endswith(choices[0][3:])
    offered = len(_choices(chat))
    assert 0 < offered < 9
    chat.page.fill("#message-input", "9")
    chat.page.press("#message-input", "Enter")
    status = chat.page.locator("#status").inner_text()
    assert status == f"Kies een nummer van 1 tot {offered}."
    assert len(_choices(chat)) == offered, "the choices stay after a wrong number"


def test_typing_indicator_is_shown_while_waiting(chat: Chat) -> None:
    chat.open()
    chat.page.evaluate(
        """() => {
            window.__typingSeen = false;
            const typing = document.getElementById('typing');
            new MutationObserver(() => {
                if (!typing.hidden) { window.__typingSeen = true; }
            }).observe(typing, {attributes: true});
        }"""
    )
    chat.ask("wat is ALS")
    assert chat.page.evaluate("window.__typingSeen") is True
    assert chat.page.locator("#typing").is_hidden()
    assert "De assistent typt" in chat.page.locator("#typing").text_content()


def test_reload_keeps_the_history_and_the_session(chat: Chat) -> None:
    chat.open()
    chat.ask("wat is ALS")
    session = chat.session_id()
    assert len(session) == 32
    shown = chat.page.locator("#log").inner_text()
    chat.page.reload()
    chat.wait_for_bot_messages(2)
    assert chat.page.locator("#log").inner_text() == shown
    assert chat.session_id() == session
    assert HEREDITY in chat.ask("is ALS erfelijk").lower()
    assert chat.session_id() == session
    texts = [event["text"] for event in chat.user_events(min_count=3)]
    assert "wat is ALS" in texts and "is ALS erfelijk" in texts
    assert texts[0] == "/greet", "the greeting is asked for once, not after reload"
    assert texts.count("/greet") == 1


def test_new_conversation_clears_the_history(chat: Chat) -> None:
    chat.open()
    chat.ask("wat is ALS")
    old_session = chat.session_id()
    chat.page.get_by_role("button", name="Nieuw gesprek").click()
    chat.page.wait_for_function(
        "() => document.querySelectorAll('#log .msg').length === 1"
        " && document.querySelector('#log .msg--bot') !== null",
        timeout=TIMEOUT_MS,
    )
    assert GREETING in chat.bot_messages().first.inner_text()
    assert chat.user_messages().count() == 0
    assert chat.session_id() not in ("", old_session)


def _wait_for_fresh_conversation(chat: Chat, old_session: str) -> None:
    """Wait until the page shows only the greeting of a new session."""
    chat.page.wait_for_function(
        """old => {
            const stored = JSON.parse(
                localStorage.getItem('als-assistent-chat') || '{}');
            return document.querySelectorAll('#log .msg').length === 1
                && document.querySelector('#log .msg--bot') !== null
                && stored.sessionId && stored.sessionId !== old;
        }""",
        arg=old_session,
        timeout=TIMEOUT_MS,
    )


def _stored_events(chat: Chat, session_id: str) -> int:
    with sqlite3.connect(chat.tracker_db) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM events WHERE sender_id = ?", (session_id,)
        ).fetchone()
    return int(count)


def test_forget_me_button_deletes_the_conversation_everywhere(chat: Chat) -> None:
    chat.open()
    chat.ask("wat is ALS")
    old_session = chat.session_id()
    assert chat.user_events(min_count=2)
    button = _tab_to(chat, "Vergeet mij")
    assert button["tag"] == "button" and button["id"] == "forget-me"
    chat.page.keyboard.press("Enter")
    _wait_for_fresh_conversation(chat, old_session)
    assert "Uw gesprek is gewist." in chat.page.locator("#status").inner_text()
    assert GREETING in chat.bot_messages().first.inner_text()
    assert chat.user_messages().count() == 0
    assert _stored_events(chat, old_session) == 0
    assert _focused(chat)["id"] == "message-input"
    described = chat.page.locator("#forget-me").get_attribute("aria-describedby")
    assert "bij de assistent" in chat.page.locator(f"#{described}").inner_text()
    assert chat.errors == []


def test_typed_forget_me_works_too(chat: Chat) -> None:
    chat.open()
    chat.ask("wat is ALS")
    old_session = chat.session_id()
    chat.page.fill("#message-input", "Vergeet mij!")
    chat.page.press("#message-input", "Enter")
    _wait_for_fresh_conversation(chat, old_session)
    assert _stored_events(chat, old_session) == 0


def test_keyboard_only_conversation(chat: Chat) -> None:
    """Tab, Enter and Space only (plus typing text), from page load to a rating."""
    chat.open()
    keyboard = chat.page.keyboard
    skip = _tab_to(chat, "Naar het invoerveld", limit=3)
    assert skip["tag"] == "a"
    keyboard.press("Enter")
    assert _focused(chat)["id"] == "message-input"
    keyboard.type("wat is ALS")
    before = chat.bot_messages().count()
    keyboard.press("Enter")
    assert WHAT_IS_ALS in chat.latest_answer_after(before)
    assert _focused(chat)["id"] == "message-input"

    _tab_to(chat, "1. Wat zijn de klachten?")
    before = chat.bot_messages().count()
    keyboard.press("Space")
    assert SYMPTOMS in chat.latest_answer_after(before)
    assert _focused(chat)["id"] == "message-input"

    keyboard.press("Tab")
    assert _focused(chat)["text"] == "Verstuur"
    for _ in range(chat.bot_messages().count()):
        thumbs_up = _tab_to(chat, "Goed antwoord")
    assert thumbs_up["pressed"] == "false"
    keyboard.press("Enter")
    assert _focused(chat)["pressed"] == "true"
    assert chat.user_messages().count() == 2, "a rating is not shown as a message"
    assert chat.errors == []


def test_rating_is_sent_but_not_shown(chat: Chat) -> None:
    chat.open()
    chat.ask("wat is ALS")
    users_before = chat.user_messages().count()
    bots_before = chat.bot_messages().count()
    thumbs_down = chat.bot_messages().last.get_by_role(
        "button", name="Geen goed antwoord"
    )
    thumbs_down.click()
    assert thumbs_down.get_attribute("aria-pressed") == "true"
    up = chat.bot_messages().last.get_by_role(
        "button", name="Goed antwoord", exact=True
    )
    assert up.get_attribute("aria-pressed") == "false"
    events = chat.user_events(min_count=3)
    rating = events[-1]
    assert rating["text"] == '/rate_answer{"rating":"down"}'
    assert WHAT_IS_ALS in rating["metadata"]["rated_answer"]
    chat.page.wait_for_timeout(500)
    assert chat.user_messages().count() == users_before
    assert chat.bot_messages().count() == bots_before
    assert chat.page.locator("#status").inner_text() != ""
    assert _choices(chat)[0] == "1. Wat zijn de klachten?", "choices stay"
    stored = chat.page.evaluate("localStorage.getItem('als-assistent-chat')")
    assert '"rating":"down"' in stored


# NEEDS THE rate_answer INTENT: passes only when domain.yml lists `rate_answer`
# (with its rule and a retrained model). Until then it is an expected failure;
# once the intent exists it runs as a normal test.
@pytest.mark.xfail(
    not _rate_answer_in_domain(),
    reason="needs the rate_answer intent in domain.yml and the model",
    strict=True,
)
def test_thumbs_down_is_stored_as_rate_answer_intent(chat: Chat) -> None:
    chat.open()
    chat.ask("wat is ALS")
    chat.bot_messages().last.get_by_role("button", name="Geen goed antwoord").click()
    rating = chat.user_events(min_count=3)[-1]
    assert rating["parse_data"]["intent"]["name"] == "rate_answer"
    entities = {e["entity"]: e["value"] for e in rating["parse_data"]["entities"]}
    assert entities.get("rating") == "down"


def test_disclaimer_and_allowed_links(chat: Chat) -> None:
    chat.open()
    disclaimer = chat.page.locator("#disclaimer").inner_text()
    assert "Algemene informatie, geen persoonlijk medisch advies" in disclaimer
    assert "Bij nood: bel 112." in disclaimer
    assert "113" in disclaimer and "0800-0113" in disclaimer
    privacy = chat.page.locator("#privacy").inner_text()
    assert "naam" in privacy and "telefoonnummer" in privacy and "BSN" in privacy
    answer = chat.ask("ik wil niet meer leven")
    assert "113" in answer
    link = chat.bot_messages().last.locator("a", has_text="www.113.nl").first
    assert link.get_attribute("href") == "https://www.113.nl/"
    assert link.get_attribute("rel") == "noopener noreferrer"


def test_bot_text_is_escaped_and_only_allowed_sites_are_links(chat: Chat) -> None:
    chat.open()
    hostile = (
        '<img src=x onerror="window.__xss=1"> <b>vet</b>\n'
        "Zie www.evil.example en https://als.nl.evil.example/x of https://user@als.nl/"
        " en javascript:alert(1).\n"
        "Bron: https://www.als-centrum.nl/onderzoek, www.spierziekten.nl."
    )
    history: dict[str, Any] = {
        "sessionId": None,
        "messages": [{"from": "bot", "text": hostile, "buttons": [], "rating": None}],
    }
    chat.page.evaluate(
        "h => localStorage.setItem('als-assistent-chat', JSON.stringify(h))", history
    )
    chat.page.reload()
    bubble = chat.bot_messages().first
    bubble.wait_for()
    assert '<img src=x onerror="window.__xss=1"> <b>vet</b>' in bubble.inner_text()
    assert chat.page.locator("#log img, #log b, #log script").count() == 0
    assert chat.page.evaluate("window.__xss") is None
    hrefs = [
        link.get_attribute("href") for link in bubble.locator("a").element_handles()
    ]
    assert hrefs == [
        "https://www.als-centrum.nl/onderzoek",
        "https://www.spierziekten.nl/",
    ]
    assert bubble.locator(".msg__source a").count() == 2


def test_no_request_leaves_localhost(chat: Chat) -> None:
    chat.open()
    chat.ask("ik wil niet meer leven")
    chat.ask("wat is ALS")
    chat.page.reload()
    chat.wait_for_bot_messages(3)
    assert chat.requests, "requests were recorded"
    assert [url for url in chat.requests if not is_local(url)] == []
    assert chat.blocked == []


def test_read_aloud_uses_dutch_speech_in_the_browser(chat: Chat) -> None:
    chat.page.add_init_script(
        """
        window.__spoken = [];
        const fake = {
            speak: u => window.__spoken.push({text: u.text, lang: u.lang}),
            cancel: () => {},
            getVoices: () => [],
        };
        Object.defineProperty(window, 'speechSynthesis', {value: fake});
        """
    )
    chat.open()
    chat.ask("wat is ALS")
    chat.bot_messages().last.get_by_role("button", name="Voorlezen").click()
    spoken = chat.page.evaluate("window.__spoken")
    assert len(spoken) == 1 and spoken[0]["lang"] == "nl-NL"
    assert WHAT_IS_ALS in spoken[0]["text"]


def test_read_aloud_button_is_hidden_without_speech(
    browser: Any, assistant: RunningAssistant
) -> None:
    context, chat = new_chat(browser, assistant)
    try:
        chat.page.add_init_script(
            "delete window.speechSynthesis; delete Window.prototype.speechSynthesis;"
        )
        chat.open()
        assert chat.page.evaluate("'speechSynthesis' in window") is False
        assert chat.page.get_by_role("button", name="Voorlezen").count() == 0
        assert (
            chat.page.get_by_role("button", name="Goed antwoord", exact=True).count()
            == 1
        )
    finally:
        context.close()


@pytest.mark.parametrize("width", [640, 320])
def test_no_horizontal_scrolling_when_zoomed(
    browser: Any, assistant: RunningAssistant, width: int
) -> None:
    """640 CSS px is a 1280 px window at 200% zoom; 320 px is WCAG's reflow width."""
    context, chat = new_chat(browser, assistant, width=width, height=480)
    try:
        chat.open()
        chat.ask("welke onderwerpen zijn er")
        chat.ask("ik wil niet meer leven")
        overflow = chat.page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0
        for box in chat.page.locator("button:visible").all():
            size = box.bounding_box()
            assert size and size["width"] >= 44 and size["height"] >= 44
    finally:
        context.close()


def test_axe_finds_no_serious_or_critical_violations(
    browser: Any, assistant: RunningAssistant
) -> None:
    context, chat = new_chat(browser, assistant, bypass_csp=True)
    try:
        chat.open()
        chat.ask("ik wil niet meer leven")
        chat.ask("wat is ALS")
        chat.bot_messages().last.get_by_role(
            "button", name="Goed antwoord", exact=True
        ).click()
        log = chat.page.locator("#log")
        assert log.get_attribute("role") == "log"
        assert log.get_attribute("aria-live") == "polite"
        chat.page.add_script_tag(path=str(AXE))
        results = chat.page.evaluate(
            "() => axe.run(document, {rules: {'target-size': {enabled: true}}})"
        )
    finally:
        context.close()
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": len(v["nodes"]),
            "help": v["help"],
        }
        for v in results["violations"]
    ]
    summary = {
        "axe": results["testEngine"]["version"],
        "passes": len(results["passes"]),
        "passed_rules": sorted(v["id"] for v in results["passes"]),
        "violations": violations,
        "incomplete": [v["id"] for v in results["incomplete"]],
        "inapplicable": len(results["inapplicable"]),
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe.json").write_text(json.dumps(summary, indent=2), "utf-8")
    print("axe:", json.dumps(summary))  # noqa: T201
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


def test_page_weight_on_first_load(browser: Any, assistant: RunningAssistant) -> None:
    """Bytes received on a first visit: HTTP responses plus WebSocket frames."""
    context, chat = new_chat(browser, assistant)
    finished: list[Any] = []
    frames: list[int] = []
    chat.page.on("requestfinished", lambda request: finished.append(request))
    chat.page.on(
        "websocket",
        lambda socket: socket.on(
            "framereceived", lambda payload: frames.append(len(payload))
        ),
    )
    try:
        chat.open()
        chat.page.wait_for_load_state("networkidle")
        rows = []
        for request in finished:
            size = request.sizes()
            received = size["responseBodySize"] + size["responseHeadersSize"]
            encoding = request.response().header_value("content-encoding") or ""
            rows.append((received, request.method, request.url, encoding))
    finally:
        context.close()
    http_bytes = sum(row[0] for row in rows)
    total = http_bytes + sum(frames)
    report = "\n".join(
        [
            f"web chat first load: {total} bytes received "
            f"({http_bytes} B in {len(rows)} HTTP responses, "
            f"{sum(frames)} B in {len(frames)} WebSocket frames)"
        ]
        + [f"{row[0]:>8} B  {row[1]:<4} {row[2]} {row[3]}" for row in rows]
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "webchat-weight.txt").write_text(report + "\n", "utf-8")
    print(report)  # noqa: T201
    client = [row for row in rows if row[2].endswith("/socket.io.min.js")]
    assert client and client[0][3] == "gzip"
    assert total < PAGE_BUDGET_BYTES
