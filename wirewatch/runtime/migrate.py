"""`wirewatch migrate --to distributed`: a team that outgrows one machine keeps its setup.

The data directory's subscriptions and alert rules are written to the `feeds` and
`alerts.rules` topics through the same ports the commands use, and with `articles`
every stored article is re-published to `articles.raw` under its own id. Everything
is keyed as the distributed mode keys it, so running it again changes nothing: a feed
already subscribed stays, an unchanged rule is not rewritten, and a re-published
article replaces itself downstream.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wirewatch.core.models import Article
from wirewatch.core.ports import FeedRegistry, RuleStore, StoredArticles, Subscriptions
from wirewatch.runtime.subscriptions import copy_feeds

PAGE = 500


@dataclass
class Migrated:
    feeds: int = 0
    feeds_added: int = 0
    rules: int = 0
    rules_added: int = 0
    articles: int = 0


def migrate_to_distributed(
    feeds: FeedRegistry,
    rules: RuleStore,
    topic_feeds: Subscriptions,
    topic_rules: RuleStore,
    *,
    stored: StoredArticles | None = None,
    publish: Callable[[Sequence[Article]], None] | None = None,
) -> Migrated:
    """Copy subscriptions and rules to their topics and, given `stored` and `publish`,
    every stored article to `articles.raw`."""
    done = Migrated()
    rows = feeds.all()
    done.feeds, done.feeds_added = len(rows), copy_feeds(topic_feeds, rows)
    for rule in rules.rules():
        done.rules += 1
        done.rules_added += topic_rules.add_rule(rule, replace=True)
    if stored is not None and publish is not None:
        after = ""
        while page := stored.articles_after(after, PAGE):
            publish(page)
            done.articles += len(page)
            after = page[-1].id
    return done
