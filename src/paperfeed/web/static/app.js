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

// Upvote without a page reload: post the same form with fetch and update the count.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-vote]");
  if (!form || !form.querySelector("input[name=csrf_token]")) return; // signed out: let the browser go to /login
  event.preventDefault();
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const data = await postForm(form);
    if (!data) return; // signed out: on the way to the login page
    const voted = data.vote === 1;
    form.querySelector(".count").textContent = data.upvotes;
    form.querySelector("input[name=value]").value = voted ? "0" : "1";
    button.classList.toggle("voted", voted);
    button.setAttribute("aria-pressed", voted ? "true" : "false");
    button.title = voted ? "Remove your upvote" : "Upvote";
  } catch (err) {
    form.submit(); // fall back to the plain form post
  } finally {
    button.disabled = false;
  }
});

// Copy buttons (BibTeX).
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
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-dismiss]");
  if (!form) return;
  event.preventDefault();
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const data = await postForm(form);
    if (!data) return; // signed out: on the way to the login page
    const card = form.closest("article.card");
    if (data.vote === -1 && card && card.closest("[data-foryou]")) {
      card.remove();
      return;
    }
    const dismissed = data.vote === -1;
    form.querySelector("input[name=value]").value = dismissed ? "0" : "-1";
    button.textContent = dismissed ? "Undo “not interested”" : "Not interested";
    const up = card && card.querySelector("form[data-vote]");
    if (up) { // a dismissed paper is no longer upvoted
      up.querySelector(".count").textContent = data.upvotes;
      up.querySelector("input[name=value]").value = "1";
      up.querySelector("button").classList.remove("voted");
      up.querySelector("button").setAttribute("aria-pressed", "false");
    }
  } catch (err) {
    form.submit();
  } finally {
    button.disabled = false;
  }
});
