"""Local fakes of the online services (OpenAI, Google) that the real client libraries talk to."""
