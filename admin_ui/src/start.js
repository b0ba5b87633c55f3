/* Starts the app once every script above has loaded: a file, not an inline script,
 * so the Content-Security-Policy can refuse every inline script. */
window.admin.app.start();
