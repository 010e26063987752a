// Autocomplete for the search box: asks /api/v1/search?suggest=1 as the user types.
// Arrow keys move through suggestions, Enter picks one, Escape closes the list.
// Without JavaScript the box is a plain search field.
document.addEventListener("DOMContentLoaded", () => {
    const input = document.getElementById("search-q");
    const list = document.getElementById("search-suggestions");
    if (!input || !list) return;
    let timer = null;
    let active = -1;
    let controller = null;

    const close = () => {
        list.hidden = true;
        list.replaceChildren();
        input.setAttribute("aria-expanded", "false");
        input.removeAttribute("aria-activedescendant");
        active = -1;
    };

    const show = (suggestions) => {
        list.replaceChildren();
        suggestions.forEach((s, i) => {
            const item = document.createElement("li");
            item.id = `suggestion-${i}`;
            item.setAttribute("role", "option");
            item.textContent = s.text;
            item.dir = "auto"; // a suggestion may be in another direction than the page
            item.dataset.kind = s.kind;
            item.addEventListener("mousedown", (event) => {
                event.preventDefault();
                input.value = s.text;
                close();
                input.form.requestSubmit();
            });
            list.appendChild(item);
        });
        list.hidden = suggestions.length === 0;
        input.setAttribute("aria-expanded", suggestions.length ? "true" : "false");
    };

    const fetchSuggestions = () => {
        const q = input.value.trim();
        if (q.length < 2) return close();
        if (controller) controller.abort();
        controller = new AbortController();
        const url = `${input.dataset.suggestUrl}?suggest=1&locale=${encodeURIComponent(input.dataset.locale)}&q=${encodeURIComponent(q)}`;
        fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } })
            .then((response) => (response.ok ? response.json() : { suggestions: [] }))
            .then((data) => show(data.suggestions || []))
            .catch(() => {});
    };

    input.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(fetchSuggestions, 120);
    });
    input.addEventListener("keydown", (event) => {
        const items = list.querySelectorAll("li");
        if (list.hidden || !items.length) return;
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            event.preventDefault();
            active = (active + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
            items.forEach((item, i) => item.setAttribute("aria-selected", i === active ? "true" : "false"));
            input.setAttribute("aria-activedescendant", items[active].id);
        } else if (event.key === "Enter" && active >= 0) {
            event.preventDefault();
            input.value = items[active].textContent;
            close();
            input.form.requestSubmit();
        } else if (event.key === "Escape") {
            close();
        }
    });
    input.addEventListener("blur", () => setTimeout(close, 100));
});
