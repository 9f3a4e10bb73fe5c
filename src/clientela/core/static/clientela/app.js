// Behaviour shared by every page: the sidebar drawer and collapse, Esc to close pop-overs.
(function () {
  "use strict";
  var body = document.body;
  var opener = document.querySelector('[data-action="open-sidebar"]');
  var backdrop = document.querySelector('[data-action="close-sidebar"]');

  function setDrawer(open) {
    body.classList.toggle("sidebar-open", open);
    if (backdrop) backdrop.hidden = !open;
    if (opener) opener.setAttribute("aria-expanded", String(open));
    if (open) {
      var first = document.querySelector("#sidebar a");
      if (first) first.focus();
    } else if (opener) {
      opener.focus();
    }
  }

  if (localStorage.getItem("clientela.sidebar") === "collapsed") body.classList.add("sidebar-collapsed");

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-action]");
    if (!target) return;
    var action = target.getAttribute("data-action");
    if (action === "open-sidebar") setDrawer(true);
    if (action === "close-sidebar") setDrawer(false);
    if (action === "collapse-sidebar") {
      var collapsed = body.classList.toggle("sidebar-collapsed");
      localStorage.setItem("clientela.sidebar", collapsed ? "collapsed" : "expanded");
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    if (body.classList.contains("sidebar-open")) setDrawer(false);
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });
})();

// Times: a relative time ("3 hours ago", templatetags/ui.py `when`) shows its exact date
// and time on hover, formatted here in the page's language and the product's time zone,
// once, when first pointed at.
(function () {
  "use strict";
  var root = document.documentElement;
  var format;

  function formatter() {
    var options = { dateStyle: "medium", timeStyle: "short", timeZone: root.getAttribute("data-time-zone") || undefined };
    try {
      return new Intl.DateTimeFormat(root.lang || undefined, options);
    } catch (error) {  // a time zone this browser does not know: its own
      delete options.timeZone;
      return new Intl.DateTimeFormat(root.lang || undefined, options);
    }
  }

  function exact(event) {
    var time = event.target.closest && event.target.closest("time[datetime]");
    if (!time || time.title) return;
    var date = new Date(time.dateTime);
    if (isNaN(date.getTime())) return;
    format = format || formatter();
    time.title = format.format(date);
  }

  document.addEventListener("mouseover", exact);
})();

// A duration still running (a timer's, templatetags/ui.py `ticking_duration`): counts on
// each second from the server's value at the page's rendering, on the page's own clock
// (performance.now, not the computer's time, which may be off); a reload or a swap brings
// the server's count again. Written with the patterns the server gave, in its language.
(function () {
  "use strict";
  var shown = new WeakMap();  // element -> [server seconds, performance.now() when first seen]

  function words(time, total) {
    var minutes = Math.floor(total / 60), seconds = total % 60;
    var pattern = time.getAttribute(minutes === 0 ? "data-pattern-s" : seconds ? "data-pattern-ms" : "data-pattern-m");
    return pattern.replace("%(m)d", String(minutes)).replace("%(s)d", String(seconds));
  }

  function tick() {
    var now = performance.now();
    document.querySelectorAll("time[data-ticking]").forEach(function (time) {
      var base = shown.get(time);
      if (!base) {
        base = [parseInt(time.getAttribute("data-seconds"), 10) || 0, now];
        shown.set(time, base);
      }
      var total = base[0] + Math.floor((now - base[1]) / 1000);
      var text = words(time, total);
      if (time.textContent !== text) {
        time.textContent = text;
        time.setAttribute("datetime", "PT" + total + "S");
      }
    });
  }

  // Only on a page that shows one, or once a swap brought one in.
  var ticking = null;
  function start() {
    if (ticking === null && document.querySelector("time[data-ticking]")) ticking = setInterval(tick, 1000);
  }
  start();
  document.addEventListener("htmx:afterSettle", start);
})();

// Dialogs, the search palette, quick-add, keyboard shortcuts, composer tabs, bulk selection.
(function () {
  "use strict";
  // The page's catalogue (jsi18n) defines it; English if it did not load.
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };

  // A field of a dialog just closed may keep the focus for a moment, until the browser
  // moves it: keys pressed then are shortcuts, not typing into a hidden field.
  function typing(target) {
    if (!target || target.closest("dialog:not([open])")) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  function openDialog(id) {
    var dialog = document.getElementById(id);
    if (!dialog || dialog.open) return dialog;
    document.querySelectorAll("dialog[open]").forEach(function (d) { d.close(); });
    dialog.showModal();
    return dialog;
  }

  function openQuickAdd() {
    var dialog = openDialog("quick-add-dialog");
    if (!dialog || !window.htmx) return;
    var body = dialog.querySelector("[data-quick-add-body]");
    htmx.ajax("GET", body.getAttribute("hx-get"), { target: body, swap: "innerHTML" }).then(function () {
      // The form is usable as soon as it is swapped in, before this runs (after htmx's
      // settle): whoever is already typing in one of its fields keeps their place.
      if (body.contains(document.activeElement)) return;
      var first = body.querySelector("input:not([type=hidden])");
      if (first) first.focus();
    });
  }

  // The home page's first step "Find anyone with Ctrl K" is ticked once the palette opened.
  function tickSearchStep() {
    document.querySelectorAll('[data-first-step="search"]').forEach(function (step) { step.classList.add("is-done"); });
  }
  try { if (localStorage.getItem("clientela.searched")) tickSearchStep(); } catch (error) { /* storage off */ }

  function openPalette() {
    var dialog = openDialog("palette");
    if (!dialog) return;
    try { localStorage.setItem("clientela.searched", "yes"); } catch (error) { /* storage off */ }
    tickSearchStep();
    var input = dialog.querySelector("[data-palette-input]");
    input.value = "";
    document.getElementById("palette-results").innerHTML = "";
    input.focus();
  }

  function paletteMove(step) {
    var items = Array.prototype.slice.call(document.querySelectorAll("#palette-results .result"));
    if (!items.length) return;
    var current = items.findIndex(function (item) { return item.getAttribute("aria-selected") === "true"; });
    var next = Math.max(0, Math.min(items.length - 1, current + step));
    items.forEach(function (item, i) { item.setAttribute("aria-selected", String(i === next)); });
    var input = document.querySelector("[data-palette-input]");
    input.setAttribute("aria-activedescendant", items[next].id);
    items[next].scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("click", function (event) {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    var trigger = event.target.closest("[data-quick-add], [data-open-palette], [data-close-dialog], [data-composer-tab]");
    if (!trigger) return;
    if (trigger.hasAttribute("data-quick-add")) {
      event.preventDefault();
      var menu = trigger.closest("details.menu");
      if (menu) menu.open = false;
      openQuickAdd();
    }
    else if (trigger.hasAttribute("data-open-palette")) { event.preventDefault(); openPalette(); }
    else if (trigger.hasAttribute("data-close-dialog")) { trigger.closest("dialog").close(); }
    else if (trigger.hasAttribute("data-composer-tab")) { selectComposerTab(trigger); }
  });

  // A click on the backdrop of a modal dialog closes it.
  document.querySelectorAll("dialog").forEach(function (dialog) {
    dialog.addEventListener("click", function (event) { if (event.target === dialog) dialog.close(); });
    dialog.addEventListener("close", function () {
      if (dialog.contains(document.activeElement)) document.activeElement.blur();
    });
  });

  function selectComposerTab(tab) {
    var composer = tab.closest(".composer");
    var kind = tab.getAttribute("data-composer-tab");
    composer.querySelectorAll("[data-composer-tab]").forEach(function (other) {
      var active = other === tab;
      other.classList.toggle("is-active", active);
      other.setAttribute("aria-selected", String(active));
    });
    composer.querySelector("[data-composer-kind]").value = kind;
    composer.querySelectorAll("[data-for]").forEach(function (row) {
      row.hidden = row.getAttribute("data-for").split(" ").indexOf(kind) === -1;
    });
    var focus = composer.querySelector(kind === "note" ? "textarea" : "input[name=subject]");
    if (focus) focus.focus();
  }

  var pendingG = 0;
  document.addEventListener("keydown", function (event) {
    var palette = document.getElementById("palette");
    if (palette && palette.open && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      paletteMove(event.key === "ArrowDown" ? 1 : -1);
      return;
    }
    if (palette && palette.open && event.key === "Enter") {
      var chosen = document.querySelector('#palette-results .result[aria-selected="true"] a');
      if (chosen) { event.preventDefault(); window.location.href = chosen.href; }
      return;
    }
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
      event.preventDefault();
      openPalette();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    var key = event.key;
    var go = document.querySelector("[data-go-home]");
    if (pendingG && Date.now() - pendingG < 1200) {
      pendingG = 0;
      var targets = { h: "goHome", d: "goDay", c: "goContacts", o: "goCompanies" };
      if (targets[key] && go) { event.preventDefault(); window.location.href = go.dataset[targets[key]]; }
      return;
    }
    if (key === "g") { pendingG = Date.now(); return; }
    if (key === "/") { event.preventDefault(); openPalette(); return; }
    if (key === "?") { event.preventDefault(); openDialog("shortcuts"); return; }
    if (key === "c") { event.preventDefault(); openQuickAdd(); return; }
    var target = document.querySelector('[data-shortcut="' + key + '"]');
    if (target) {
      event.preventDefault();
      target.click();
      // A folded form (add a task) opens ready to type in.
      var field = target.tagName === "SUMMARY" && target.parentElement.open && target.parentElement.querySelector("input:not([type=hidden]), textarea");
      if (field) field.focus();
    }
  });

  // "3 selected", in the page's language with its plural (the djangojs catalogue), the
  // number in bold.
  function showSelectedCount(label, count) {
    var parts = ngettext("%(count)s selected", "%(count)s selected", count).split("%(count)s");
    var number = document.createElement("strong");
    number.setAttribute("data-bulk-count", "");
    number.textContent = count;
    label.replaceChildren(document.createTextNode(parts[0]), number, document.createTextNode(parts.slice(1).join("")));
  }

  // Bulk selection on lists: the bar appears with the count; each action shows its input.
  function refreshBulk(form) {
    var checked = form.querySelectorAll("[data-row-select]:checked").length;
    var bar = form.querySelector("[data-bulk-bar]");
    if (!bar) return;
    bar.hidden = checked === 0;
    showSelectedCount(bar.querySelector("[data-bulk-label]"), checked);
    var action = bar.querySelector("[data-bulk-action]").value;
    bar.querySelectorAll("[data-bulk-param]").forEach(function (input) {
      input.hidden = input.getAttribute("data-bulk-param") !== action;
    });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest("[data-bulk-form]");
    if (!form) return;
    if (event.target.hasAttribute("data-select-all")) {
      form.querySelectorAll("[data-row-select]").forEach(function (box) { box.checked = event.target.checked; });
    }
    refreshBulk(form);
  });

  // A choice that is the whole form (the language picker) is sent when made; its button
  // stays for pages read without JavaScript.
  document.querySelectorAll("[data-submit-on-change]").forEach(function (select) {
    var button = select.form && select.form.querySelector("[data-submit-button]");
    if (button) button.hidden = true;
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-submit-on-change]")) event.target.form.requestSubmit();
  });

  // The column picker sends one "cols" value instead of a checkbox per column.
  document.addEventListener("submit", function (event) {
    var field = event.target.querySelector("[data-columns-field]");
    if (!field) return;
    var boxes = event.target.querySelectorAll("[data-column-choice]");
    field.value = Array.prototype.filter.call(boxes, function (box) { return box.checked; })
      .map(function (box) { return box.value; }).join(",");
    boxes.forEach(function (box) { box.disabled = true; });
  });
})();

// Company fields: as one types, the companies like the text and "new company" under the
// field (customers:company-suggest); picking one fills the field, picking "new company"
// also says so to the server (company_new), which otherwise warns of similar names.
(function () {
  "use strict";
  var timer = 0;

  function listOf(input) {
    var box = input.nextElementSibling;
    if (!box || !box.classList.contains("suggestions")) {
      box = document.createElement("div");
      box.className = "suggestions";
      box.id = input.id + "-suggestions";
      input.setAttribute("aria-controls", box.id);
      input.insertAdjacentElement("afterend", box);
    }
    return box;
  }

  function close(input) {
    listOf(input).replaceChildren();
    input.setAttribute("aria-expanded", "false");
  }

  function suggest(input) {
    var text = input.value.trim();
    if (!text) { close(input); return; }
    fetch(input.dataset.suggest + "?" + new URLSearchParams({ q: text }), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (input.value.trim() !== text || document.activeElement !== input) return;
        var box = listOf(input);
        box.innerHTML = html;
        input.setAttribute("aria-expanded", String(Boolean(box.querySelector("[data-suggestion]"))));
      });
  }

  function confirmNew(form, name) {
    var field = form.querySelector('input[type="hidden"][name="company_new"]');
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "company_new";
      form.appendChild(field);
    }
    field.value = name;
  }

  function fill(input, value, isNew) {
    input.value = value;
    if (input.form) confirmNew(input.form, isNew ? value : "");
    close(input);
    input.focus();
    // What follows the field hears of the pick as of a typed change (a deal's contacts).
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-suggest]")) return;
    clearTimeout(timer);
    timer = setTimeout(function () { suggest(input); }, 150);
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-suggestion]");
    if (option) {
      var input = option.closest(".suggestions").previousElementSibling;
      fill(input, option.dataset.suggestion, option.hasAttribute("data-new-company"));
      return;
    }
    var pick = event.target.closest("[data-pick-company]");
    if (pick && pick.form) {
      var field = pick.form.elements.namedItem(pick.dataset.pickInto);
      var box = pick.closest(".suspects");
      if (field) fill(field, pick.dataset.pickCompany, false);
      if (box) box.remove();
      return;
    }
    document.querySelectorAll("input[data-suggest][aria-expanded='true']").forEach(function (input) {
      if (!input.parentElement.contains(event.target)) close(input);
    });
  });

  // Down from the field into the list, up and down in it, Escape back to the field.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var input = target.matches && target.matches("input[data-suggest]") ? target : null;
    var inList = !input && target.closest && target.closest(".suggestions");
    if (!input && !inList) return;
    if (inList) input = inList.previousElementSibling;
    var options = Array.prototype.slice.call(listOf(input).querySelectorAll("[data-suggestion]"));
    if (!options.length) return;
    var at = options.indexOf(target);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var next = event.key === "ArrowDown" ? at + 1 : at - 1;
      if (next < 0) input.focus();
      else options[Math.min(next, options.length - 1)].focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close(input);
      input.focus();
    }
  });
})();
