-- accept() numbers each channel's events with MAX(seq) + 1 under the "inbox" lock: on the saturated
-- WeChat path that was a scan of three days of events per message; the index makes it a lookup.
CREATE INDEX inbox_seq ON inbox (channel, seq);
