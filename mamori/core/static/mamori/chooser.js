// Choosers (core/choosers.py): a select of related records becomes a box that searches as
// the user types; several choices are shown as chips, so none needs Ctrl-click. The select
// stays in the form (hidden from sight, not from the form) and is what is posted.
(() => {
  "use strict";
  let counter = 0;

  function words(text) {
    return text.toLowerCase().split(/\s+/).filter(Boolean);
  }

  function setup(select) {
    const data = select.dataset;
    const multiple = select.multiple;
    const id = `mamori-chooser-${++counter}`;
    const wrap = document.createElement("div");
    wrap.className = "mamori-chooser";
    const chips = document.createElement("div");
    chips.className = "mamori-chooser-chips";
    const input = document.createElement("input");
    input.type = "text";
    input.className = select.className.replace("form-select", "form-control");
    input.placeholder = data.chooserSearch || "";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", `${id}-list`);
    const label = select.id && document.querySelector(`label[for="${select.id}"]`);
    if (label) input.setAttribute("aria-label", label.textContent.trim());
    input.dataset.testid = `chooser-${select.name}`;
    const list = document.createElement("ul");
    list.id = `${id}-list`;
    list.className = "dropdown-menu mamori-chooser-list";
    list.setAttribute("role", "listbox");
    wrap.append(chips, input, list);
    select.classList.add("mamori-chooser-native");
    select.tabIndex = -1;
    select.after(wrap);

    let results = [];
    let active = -1;
    let timer = null;
    let asked = 0;
    let waiting = false; // a search asked of the server and not yet answered
    let enterWhenAnswered = false; // Enter pressed while the search was still being asked

    function chosenOptions() {
      return Array.from(select.options).filter((o) => o.selected && o.value !== "");
    }

    function showChosen() {
      chips.replaceChildren();
      if (!multiple) {
        const chosen = chosenOptions()[0];
        input.value = chosen ? chosen.text : "";
        return;
      }
      for (const option of chosenOptions()) {
        const chip = document.createElement("span");
        chip.className = "badge bg-blue-lt mamori-chooser-chip";
        chip.textContent = option.text;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn-close mamori-chooser-remove";
        remove.setAttribute("aria-label", `${data.chooserRemove || "Remove"}: ${option.text}`);
        remove.addEventListener("mousedown", (event) => event.preventDefault());
        remove.addEventListener("click", () => {
          option.selected = false;
          select.dispatchEvent(new Event("change", { bubbles: true }));
          input.focus();
        });
        chip.append(remove);
        chips.append(chip);
      }
    }

    function close() {
      list.classList.remove("show");
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function render(more) {
      list.replaceChildren();
      results.forEach((result, index) => {
        const item = document.createElement("li");
        item.id = `${id}-option-${index}`;
        item.className = "dropdown-item mamori-chooser-option";
        item.setAttribute("role", "option");
        item.textContent = result.text;
        item.addEventListener("mousedown", (event) => {
          event.preventDefault(); // keep the focus in the box
          choose(result);
        });
        list.append(item);
      });
      const note = !results.length ? data.chooserNone : more ? data.chooserMore : "";
      if (note) {
        const item = document.createElement("li");
        item.className = "dropdown-item-text text-secondary small";
        item.textContent = note;
        list.append(item);
      }
      list.classList.add("show");
      input.setAttribute("aria-expanded", "true");
      highlight(results.length ? 0 : -1);
      if (enterWhenAnswered && results.length) choose(results[0]);
      enterWhenAnswered = false;
    }

    function highlight(index) {
      const items = list.querySelectorAll("[role=option]");
      items.forEach((item, i) => {
        item.classList.toggle("active", i === index);
        item.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      }
    }

    function choose(result) {
      let option = Array.from(select.options).find((o) => o.value === result.id);
      if (!option) {
        option = new Option(result.text, result.id);
        select.add(option);
      }
      if (!multiple) select.value = result.id;
      option.selected = true;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      close();
      if (multiple) input.value = "";
    }

    function local(text) {
      const wanted = words(text);
      return Array.from(select.options)
        .filter((o) => o.value !== "" && !(multiple && o.selected))
        .filter((o) => wanted.every((w) => o.text.toLowerCase().includes(w)))
        .map((o) => ({ id: o.value, text: o.text }));
    }

    function search() {
      const text = input.value;
      if (!data.chooserPartial) {
        results = local(text);
        render(false);
        return;
      }
      const ticket = ++asked;
      waiting = true;
      fetch(`${data.chooser}&q=${encodeURIComponent(text)}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then((response) => (response.ok ? response.json() : { results: [], more: false }))
        .then((answer) => {
          if (ticket !== asked) return; // an answer to an older question
          waiting = false;
          const taken = new Set(multiple ? chosenOptions().map((o) => o.value) : []);
          results = answer.results.filter((r) => !taken.has(r.id));
          render(answer.more);
        });
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        search();
      }, data.chooserPartial ? 200 : 0);
    });
    input.addEventListener("focus", () => {
      if (!multiple) input.select();
    });
    input.addEventListener("click", search);
    input.addEventListener("keydown", (event) => {
      const open = list.classList.contains("show");
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) search();
        else highlight(Math.min(active + 1, results.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        // Enter in a chooser chooses; it never sends the form, even before the answer.
        event.preventDefault();
        if (open && active >= 0 && !timer && !waiting) choose(results[active]);
        else if (input.value.trim()) enterWhenAnswered = true;
      } else if (event.key === "Escape") {
        close();
      } else if (event.key === "Backspace" && multiple && input.value === "") {
        const last = chosenOptions().pop();
        if (last) {
          last.selected = false;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      }
    });
    input.addEventListener("blur", () => {
      close();
      if (multiple) {
        input.value = ""; // the chips are the choice; leave them (and their focus) be
        return;
      }
      // A single choice whose text was cleared is no choice (where none is allowed).
      if (input.value.trim() === "" && !select.required) {
        select.value = "";
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      showChosen();
    });
    select.addEventListener("change", showChosen);
    select.addEventListener("focus", () => input.focus());
    showChosen();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("select[data-chooser]").forEach(setup);
  });
})();
