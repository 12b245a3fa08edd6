"""The two doors onto the library: the command line (:mod:`.cli`, with the
runs it writes, :mod:`.runs`) and the web app (:mod:`.serve`). Both only
parse what comes in and call the library; what they answer for an input
comes from one place, :mod:`._answers`.
"""
