// The deals board: drag a card to another stage or onto Won / Lost; with the keyboard,
// Shift + Arrow keys on a focused card, or its "Move to" menu. Every move is a plain form
// post to the server (the same one the menu sends), so the server checks and records it.
(function () {
  "use strict";
  var board = document.querySelector("[data-board]");
  if (!board) return;
  var dragged = null;

  function cardOf(element) { return element && element.closest(".kanban-card"); }

  function moveTo(card, stageId) {
    var form = card.querySelector("[data-move-form]");
    var select = form.querySelector("[data-move-select]");
    if (select.value === String(stageId)) return;
    select.value = String(stageId);
    form.requestSubmit();
  }

  function closeAs(card, outcome) {
    var url = "/deals/" + card.dataset.deal + "/close/";
    if (outcome === "won") {
      var won = board.querySelector("[data-close-form]");
      won.action = url;
      won.querySelector('[name="version"]').value = card.dataset.version;
      won.requestSubmit();
      return;
    }
    var dialog = document.getElementById("lose-dialog");
    var form = dialog.querySelector("[data-lose-form]");
    form.action = url;
    form.querySelector("[data-lose-version]").value = card.dataset.version;
    dialog.querySelector("[data-lose-name]").textContent = card.dataset.name;
    dialog.showModal();
    dialog.querySelector('[name="reason"]').focus();
  }

  // The menu moves at once when JavaScript runs; its button is for pages without it.
  board.querySelectorAll("[data-move-button]").forEach(function (button) { button.hidden = true; });
  board.addEventListener("change", function (event) {
    if (event.target.matches("[data-move-select]")) event.target.form.requestSubmit();
  });

  board.addEventListener("dragstart", function (event) {
    var card = cardOf(event.target);
    if (!card) return;
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.deal);
  });
  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    board.querySelectorAll(".is-drop-target").forEach(function (el) { el.classList.remove("is-drop-target"); });
  });
  function zoneOf(target) { return target.closest("[data-drop], [data-drop-outcome]"); }
  board.addEventListener("dragover", function (event) {
    var zone = zoneOf(event.target);
    if (!zone || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    board.querySelectorAll(".is-drop-target").forEach(function (el) { if (el !== zone) el.classList.remove("is-drop-target"); });
    zone.classList.add("is-drop-target");
  });
  board.addEventListener("drop", function (event) {
    var zone = zoneOf(event.target);
    if (!zone || !dragged) return;
    event.preventDefault();
    var card = dragged;
    if (zone.dataset.dropOutcome) closeAs(card, zone.dataset.dropOutcome);
    else moveTo(card, zone.dataset.stage);
  });

  board.addEventListener("keydown", function (event) {
    var card = event.target.classList && event.target.classList.contains("kanban-card") ? event.target : null;
    if (!card || !event.shiftKey || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) return;
    var columns = Array.prototype.slice.call(board.querySelectorAll("[data-drop]"));
    var index = columns.indexOf(card.closest("[data-drop]"));
    var next = columns[index + (event.key === "ArrowRight" ? 1 : -1)];
    if (!next) return;
    event.preventDefault();
    moveTo(card, next.dataset.stage);
  });

  var lose = document.getElementById("lose-dialog");
  if (lose) {
    lose.querySelector("[data-close-dialog]").addEventListener("click", function () { lose.close(); });
  }
})();
