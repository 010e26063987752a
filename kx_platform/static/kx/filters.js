// Progressive enhancement of the practice filters: apply a checkbox as soon as it
// changes. Without JavaScript the "Apply filters" button does the same.
document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("practice-filters");
    if (!form) return;
    form.addEventListener("change", (event) => {
        if (event.target.matches('input[type="checkbox"]')) form.requestSubmit();
    });
});
