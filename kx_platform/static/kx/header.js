// Phones: the main navigation behind a menu button, the filters of a list in a drawer.
//
// Loaded at the end of the header, before the page below it is parsed, so the navigation is
// folded before the first paint. Without JavaScript the button stays hidden, the navigation
// shows in full and every filter drawer stays open.
(() => {
    const PHONE = window.matchMedia("(max-width: 50rem)");
    document.documentElement.classList.add("kx-js"); // site.css folds the drawers until fitted

    const header = document.currentScript && document.currentScript.closest(".site-header");
    const button = header && header.querySelector(".menu-button");
    const nav = button && document.getElementById(button.getAttribute("aria-controls"));

    function setMenu(open) {
        button.setAttribute("aria-expanded", String(open));
        nav.classList.toggle("site-nav--open", open);
    }

    if (button && nav) {
        header.classList.add("site-header--menu");
        button.hidden = false;
        setMenu(false);
        button.addEventListener("click", () => setMenu(button.getAttribute("aria-expanded") !== "true"));
        header.addEventListener("keydown", (event) => {
            if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true" && PHONE.matches) {
                setMenu(false);
                button.focus();
            }
        });
    }

    // Filter drawers (<details class="filters-drawer" open>): closed on phones, open and
    // without their summary on wider screens.
    function fitDrawers() {
        document.querySelectorAll("details.filters-drawer").forEach((drawer) => {
            drawer.open = !PHONE.matches;
            drawer.classList.add("filters-drawer--fitted");
        });
    }

    document.addEventListener("DOMContentLoaded", fitDrawers);
    PHONE.addEventListener("change", () => {
        fitDrawers();
        if (button && nav && !PHONE.matches) setMenu(false);
    });
})();
