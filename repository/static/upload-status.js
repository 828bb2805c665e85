// While a deposited file is being read, ask every two seconds whether reading has ended,
// and show the outcome when it has. Without JavaScript the page's own link does this.
const status = document.querySelector("[data-upload-state-url]");
if (status) {
  const url = status.dataset.uploadStateUrl;
  const check = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok && (await response.json()).state !== "reading") {
        window.location.reload();
        return;
      }
    } catch (error) {
      // The network or the server is away for a moment: try again at the next tick.
    }
    window.setTimeout(check, 2000);
  };
  window.setTimeout(check, 2000);
}
