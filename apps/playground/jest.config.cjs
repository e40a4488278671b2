module.exports = require('@memrec/jest-preset');
