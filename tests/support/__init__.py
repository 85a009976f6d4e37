"""The Tandem test harness: a Slack Web API emulator, a signed-request driver, a simulated user,
bot-process and database fixtures. Start with tests/README.md."""
