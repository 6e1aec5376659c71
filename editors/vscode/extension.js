// Starts `evalspec lsp` (from the evalspec.command setting) for .evalspec files.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("evalspec").get("command");
  client = new LanguageClient(
    "evalspec", "evalspec",
    { command, args },
    { documentSelector: [{ scheme: "file", language: "evalspec" }] });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
