// Topic map: a tooltip with the paper's title on hover or focus, and cluster highlighting (the points are
// plain links, so clicking opens the paper with or without this script).
(function () {
  "use strict";
  function init() {
    var svg = document.getElementById("topicmap");
    var tip = document.getElementById("maptip");
    if (!svg || !tip) return;
    function focusCluster(c) {
      svg.classList.toggle("focusing", c !== null);
      svg.querySelectorAll("[data-cluster]").forEach(function (el) {
        el.classList.toggle("hot", c !== null && el.getAttribute("data-cluster") === c);
      });
      document.querySelectorAll(".clusters li").forEach(function (li) {
        li.classList.toggle("hot", c !== null && li.getAttribute("data-cluster") === c);
      });
    }
    function show(pt, ev) {
      tip.textContent = pt.getAttribute("data-title");
      tip.hidden = false;
      var box = svg.parentNode.getBoundingClientRect();
      var r = pt.getBoundingClientRect();
      var scrolled = svg.parentNode.scrollLeft; // a phone scrolls the map sideways (style.css)
      tip.style.left = scrolled + Math.min(r.left - box.left + 12, box.width - 260) + "px";
      tip.style.top = (r.top - box.top + 12) + "px";
      focusCluster(pt.getAttribute("data-cluster"));
    }
    function hide() {
      tip.hidden = true;
      focusCluster(null);
    }
    svg.querySelectorAll("a.pt").forEach(function (pt) {
      pt.addEventListener("mouseenter", function (ev) { show(pt, ev); });
      pt.addEventListener("focus", function (ev) { show(pt, ev); });
      pt.addEventListener("mouseleave", hide);
      pt.addEventListener("blur", hide);
    });
    document.querySelectorAll(".clusters li").forEach(function (li) {
      // the pointer or the keyboard (Tab to a topic's link) shows where a topic's papers lie
      li.addEventListener("mouseenter", function () { focusCluster(li.getAttribute("data-cluster")); });
      li.addEventListener("mouseleave", function () { focusCluster(null); });
      li.addEventListener("focusin", function () { focusCluster(li.getAttribute("data-cluster")); });
      li.addEventListener("focusout", function () { focusCluster(null); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
