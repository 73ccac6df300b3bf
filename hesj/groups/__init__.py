"""Learning groups: rosters, session packets, shared reflections, digests and progress.

One job per module: ``roster`` (read a roster CSV), ``store`` (the group's folders),
``share`` and ``progress`` (the learner's side, in their own kernel), ``digest`` and
``progress.progress_report`` (the facilitator's side, from what members sent, never from a
journal), ``lessons`` and ``packets`` (lesson plans and meeting handouts), ``widgets`` (thin
views), ``cli`` (``hesj group``, ``hesj lessons``).
"""
