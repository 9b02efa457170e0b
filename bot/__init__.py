"""衢州老年人法律援助助手: configuration, command line, channel adapters and the text catalog."""
