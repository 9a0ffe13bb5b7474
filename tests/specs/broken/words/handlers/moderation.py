"""A handler module for the words corpus (a misspelt module name gets its name as a hint)."""


async def ban(invocation, word):
    return {"word": word}
