// paperfeed: small progressive enhancements. Every page works without this file.
"use strict";

// Post a form with fetch and return its JSON; a signed-out user is sent to the login page (null).
async function postForm(form) {
  const response = await fetch(form.action, {
    method: "POST",
    body: new FormData(form),
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  if (response.status === 401) {
    window.location = "/login?next=" + encodeURIComponent(location.pathname);
    return null;
  }
  if (!response.ok) throw new Error(form.action + " failed: " + response.status);
  return response.json();
}

// Enhance the forms matching `selector` (when `ready`): post them with fetch and hand the JSON answer to
// `show`; any failure falls back to the plain form post.
function enhance(selector, show, ready = () => true) {
  document.addEventListener("submit", async (event) => {
    const form = event.target.closest(selector);
    if (!form || !ready(form)) return;
    event.preventDefault();
    // busy, not disabled: disabling the focused button would drop keyboard focus to the page's start
    if (form.getAttribute("aria-busy") === "true") return;
    form.setAttribute("aria-busy", "true");
    try {
      const data = await postForm(form);
      if (data) show(form, data); // null: signed out, on the way to the login page
    } catch (err) {
      form.submit(); // fall back to the plain form post
    } finally {
      form.removeAttribute("aria-busy");
    }
  });
}

// A vote form as the server's answer says: the count, and whether the button is pressed.
function showVote(form, data) {
  const voted = data.vote === 1;
  const button = form.querySelector("button");
  form.querySelector(".count").textContent = data.upvotes;
  form.querySelector("input[name=value]").value = voted ? "0" : "1";
  button.classList.toggle("voted", voted);
  button.setAttribute("aria-pressed", voted ? "true" : "false");
  button.title = voted ? "Remove your upvote" : "Upvote";
}

// Upvote without a page reload; signed out (no CSRF token in the form), the browser goes to /login.
enhance("form[data-vote]", showVote, (form) => form.querySelector("input[name=csrf_token]"));

// Copy buttons (BibTeX): hidden in the page, which cannot copy without this file; shown here.
for (const button of document.querySelectorAll("button[data-copy][hidden]")) button.hidden = false;
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  try {
    await navigator.clipboard.writeText(source.textContent);
  } catch (err) {
    const range = document.createRange();
    range.selectNodeContents(source);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    document.execCommand("copy");
  }
  const label = button.textContent;
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = label; }, 1500);
});

// "Not interested" without a reload: on /for-you the card goes away; elsewhere the button flips to undo.
enhance("form[data-dismiss]", (form, data) => {
  const card = form.closest("article.card");
  const scope = card || form.closest("article.paper"); // a card, or a paper's own page
  const dismissed = data.vote === -1;
  if (dismissed && card && card.closest("[data-foryou]")) {
    card.remove();
    return;
  }
  form.querySelector("input[name=value]").value = dismissed ? "0" : "-1";
  // the button's first text is its visible label; the paper's title for screen readers may follow it
  form.querySelector("button").firstChild.textContent = dismissed ? "Undo “not interested”" : "Not interested";
  const up = scope && scope.querySelector("form[data-vote]");
  if (up) showVote(up, data); // a dismissed paper is no longer upvoted
});
