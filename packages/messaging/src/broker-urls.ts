/** The nodes of AMQP_URL: one URL, or one per node of a cluster separated by commas. */
export const brokerUrls = (url: string) => url.split(',').map((part) => part.trim());
