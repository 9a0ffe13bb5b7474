"""Handlers the broken-spec corpus refers to."""


async def takes_words(inv, words):
    return {"words": words}


async def needs_extra(inv, words, extra):
    return {}


def not_async(inv):
    return {}


async def hello(inv):
    return {}


async def shows_file(inv, file):
    return {"file": str(file)}
