// The practice form's required fields, before the server sees them (practices.panels).
//
// Wagtail marks a tab as holding errors only after the server has refused the form, and its
// form is `novalidate`: an expert who submits with the Classification tab untouched waits
// for a round trip to learn it. Here each tab holding required fields says how many, and
// "Submit" or "Publish" with a required field empty stays on the page, marks the field,
// opens its tab and moves the focus there. Saving a draft is never held back: Wagtail
// accepts incomplete drafts.
(() => {
    const SUBMITTING_ACTIONS = ["action-submit", "action-publish", "action-restart-workflow"];

    function readData() {
        const node = document.getElementById("kx-required-fields");
        if (!node) return null;
        try {
            return JSON.parse(node.textContent);
        } catch {
            return null;
        }
    }

    function controls(form, name) {
        return [...form.elements].filter((element) => element.name === name);
    }

    function richTextIsEmpty(value) {
        // Draftail keeps its content as JSON in a hidden input.
        try {
            const state = JSON.parse(value);
            if (!state) return true;
            return !(state.blocks || []).some((block) => (block.text || "").trim());
        } catch {
            return !value.trim();
        }
    }

    function isEmpty(form, name) {
        const elements = controls(form, name);
        if (!elements.length) return false; // not on this form: nothing to check
        return !elements.some((element) => {
            if (element.type === "checkbox" || element.type === "radio") return element.checked;
            if (element.tagName === "SELECT") {
                return [...element.selectedOptions].some((option) => option.value !== "");
            }
            if (element.hasAttribute("data-draftail-input")) {
                // Draftail writes its hidden input a moment after each keystroke: read the editor.
                const editor = element.parentElement.querySelector('[contenteditable="true"]');
                if (editor) return editor.textContent.trim() !== "";
                return !richTextIsEmpty(element.value || "");
            }
            return element.value.trim() !== "";
        });
    }

    function wrapperOf(form, name) {
        const element = controls(form, name)[0];
        return element && (element.closest("[data-field-wrapper]") || element.closest("[data-contentpath]") || element.parentElement);
    }

    function tabPanelOf(node) {
        return node ? node.closest('[role="tabpanel"]') : null;
    }

    function tabOf(panel) {
        return panel ? document.getElementById(panel.getAttribute("aria-labelledby")) : null;
    }

    function recountTabErrors() {
        // Wagtail's w-count counts `.error-message` when it connects: reconnect it.
        document.querySelectorAll('.w-tabs__errors[data-controller="w-count"]').forEach((counter) => {
            counter.setAttribute("data-controller", "");
            requestAnimationFrame(() => counter.setAttribute("data-controller", "w-count"));
        });
    }

    function markTabs(form, data) {
        data.tabs.forEach((tab) => {
            const first = tab.fields.map((name) => wrapperOf(form, name)).find(Boolean);
            const trigger = tabOf(tabPanelOf(first));
            if (!trigger || trigger.querySelector(".kx-tab-required")) return;
            const marker = document.createElement("span");
            marker.className = "kx-tab-required";
            marker.title = tab.marker;
            const star = document.createElement("span");
            star.setAttribute("aria-hidden", "true");
            star.textContent = "*";
            const label = document.createElement("span");
            label.className = "w-sr-only";
            label.textContent = ` (${tab.marker})`;
            marker.append(star, label);
            const errors = trigger.querySelector(".w-tabs__errors");
            trigger.insertBefore(marker, errors);
        });
    }

    function clearOwnErrors(form) {
        form.querySelectorAll(".kx-required-error").forEach((node) => node.remove());
        const summary = document.getElementById("kx-required-summary");
        if (summary) summary.remove();
    }

    function showErrors(form, data, missing) {
        missing.forEach((name) => {
            const wrapper = wrapperOf(form, name);
            if (!wrapper) return;
            const message = document.createElement("p");
            message.className = "error-message kx-required-error";
            message.textContent = data.message;
            wrapper.prepend(message);
        });
        // Above the tabs, so that it shows whichever tab opens.
        const tabs = form.querySelector(".w-tabs");
        if (tabs) {
            const summary = document.createElement("p");
            summary.id = "kx-required-summary";
            summary.className = "help-block help-critical kx-required-summary";
            summary.setAttribute("role", "alert");
            summary.textContent = data.summary;
            tabs.before(summary);
        }
        recountTabErrors();
        const firstWrapper = wrapperOf(form, missing[0]);
        const trigger = tabOf(tabPanelOf(firstWrapper));
        if (trigger && trigger.getAttribute("aria-selected") !== "true") trigger.click();
        const focusable = controls(form, missing[0]).find((element) => element.type !== "hidden");
        requestAnimationFrame(() => {
            firstWrapper.scrollIntoView({ block: "center" });
            if (focusable) focusable.focus({ preventScroll: true });
        });
    }

    function resetSubmitButtons(form) {
        // Wagtail's w-progress shows "Submitting…" as soon as a button is clicked.
        form.querySelectorAll('[data-controller~="w-progress"]').forEach((button) => {
            button.classList.remove("button-longrunning-active");
            button.removeAttribute("disabled");
            const label = button.querySelector('[data-w-progress-target="label"]');
            if (label && button.dataset.kxLabel) label.textContent = button.dataset.kxLabel;
        });
    }

    function start() {
        const data = readData();
        const form = document.querySelector("form[data-edit-form]");
        if (!data || !form) return;
        markTabs(form, data);
        form.querySelectorAll('[data-controller~="w-progress"]').forEach((button) => {
            const label = button.querySelector('[data-w-progress-target="label"]');
            if (label) button.dataset.kxLabel = label.textContent;
        });
        form.addEventListener(
            "submit",
            (event) => {
                const submitter = event.submitter;
                if (!submitter || !SUBMITTING_ACTIONS.includes(submitter.name)) return;
                clearOwnErrors(form);
                const missing = data.tabs.flatMap((tab) => tab.fields).filter((name) => isEmpty(form, name));
                if (!missing.length) return;
                event.preventDefault();
                event.stopImmediatePropagation();
                showErrors(form, data, missing);
                setTimeout(() => resetSubmitButtons(form), 0);
            },
            true,
        );
    }

    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
})();
