/** The moderation panes' fixtures live with every kind's pane fixtures (the queue's tests use them too). */
export { DESCRIPTION, hitIn, listingDetail } from '../../kit/testing';
