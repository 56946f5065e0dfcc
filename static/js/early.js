// Loaded in <head> without defer, so this runs before the first paint: controls meant
// only for no-JS visitors (class "nojs") never flash on screen. The rest of our
// JavaScript is ES modules (app.js), which run after parsing.
document.documentElement.classList.add("js");
